//! The messages between the playground page and its training worker, which trains a CPU
//! run off the page's thread, and the worker's end of them.
//!
//! Each message is a head (JSON text) and numbers (an `f64` array, passed as a
//! `Float64Array`, so no bit of a number changes on the way):
//! - [`Seed`]: the program and the rows of the shipped dataset it reads, once per worker;
//! - [`ChunkRequest`]: the page's run state ([`RunState`]) and how much to train;
//! - [`ChunkReply`]: what the chunk did, its losses and the run state after it.
//!
//! The worker restores the state it is given before each chunk, so the page's run stays
//! the one that counts: a step the page took itself, or a pause that terminated the
//! worker mid-chunk, changes nothing in what the next chunk trains. A run trained in
//! chunks this way is the run trained straight, to the bit.

pub mod tape;

use super::form::read_training;
use super::run::{Chunk, Run, RunState};
use super::source::Source;
use crate::backend::cpu::CpuBackend;
use crate::data::provided;
use crate::data::table::Table;
use serde::{Deserialize, Serialize};
use tape::{Reader, Writer};

/// The rows of the shipped dataset a program reads, as the page has them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeedData {
    pub name: String,
    pub test_share: f64,
    pub feature_names: Vec<String>,
    pub class_names: Vec<String>,
}

/// What a worker's run is built from: the program's text (own data's rows are in its
/// comments) and a shipped dataset's rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Seed {
    pub program: String,
    pub data: Option<(SeedData, Table)>,
}

#[derive(Serialize, Deserialize)]
struct SeedHead {
    program: String,
    data: Option<SeedData>,
}

impl Seed {
    /// The seed of `program`, with the provided table of `dataset` (a shipped dataset's
    /// name) if the page has one.
    pub fn of(program: &str, dataset: Option<&str>) -> Seed {
        let data = dataset.and_then(|name| {
            let (table, test_share) = provided::get_split(name)?;
            let head = SeedData {
                name: name.to_string(),
                test_share,
                feature_names: table.feature_names.clone(),
                class_names: table.class_names.clone(),
            };
            Some((head, Table::clone(&table)))
        });
        Seed {
            program: program.to_string(),
            data,
        }
    }

    pub fn encode(&self) -> (String, Vec<f64>) {
        let head = SeedHead {
            program: self.program.clone(),
            data: self.data.as_ref().map(|(head, _)| head.clone()),
        };
        let mut numbers = Writer::default();
        if let Some((_, table)) = &self.data {
            numbers.count(table.features.len() as u64);
            numbers.0.extend_from_slice(&table.features);
            numbers.0.extend_from_slice(&table.targets);
        }
        (json(&head), numbers.0)
    }

    pub fn decode(head: &str, numbers: &[f64]) -> Result<Seed, String> {
        let head: SeedHead = serde_json::from_str(head).map_err(|e| e.to_string())?;
        let data = match head.data {
            Some(data) => {
                let mut tape = Reader::new(numbers);
                let n = tape.length()?;
                let features = (0..n).map(|_| tape.number()).collect::<Result<_, _>>()?;
                let mut targets = Vec::new();
                while !tape.done() {
                    targets.push(tape.number()?);
                }
                let table = Table {
                    feature_names: data.feature_names.clone(),
                    features,
                    targets,
                    class_names: data.class_names.clone(),
                };
                Some((data, table))
            }
            None => None,
        };
        Ok(Seed {
            program: head.program,
            data,
        })
    }
}

/// How much one chunk trains.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Work {
    /// Steps until this many ms have passed (at least one; see [`Run::train_for`]).
    For(f64),
    /// This many steps, each loss read ([`Run::train_steps`]).
    Steps(usize),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ChunkRequest {
    pub work: Work,
    /// The step count the chunk stops at.
    pub stop: Option<u64>,
    pub state: RunState,
    /// Evaluate the run after the chunk: its accuracy and its predictions at these points
    /// (the decision boundary's grid; none for a run without one).
    pub evaluate: Option<Vec<[f64; 2]>>,
}

/// A run evaluated after a chunk, off the page's thread: what [`Run::accuracy`] and
/// [`Run::predict_points`] give, and how long they took (ms).
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub accuracy: Option<f64>,
    pub predictions: Option<Vec<(usize, f64)>>,
    pub took_ms: f64,
}

#[derive(Serialize, Deserialize)]
struct RequestHead {
    work: Work,
    stop: Option<u64>,
}

impl ChunkRequest {
    pub fn encode(&self) -> (String, Vec<f64>) {
        let mut numbers = Writer::default();
        numbers.state(&self.state);
        numbers.maybe(self.evaluate.as_ref(), |w, points| {
            w.count(points.len() as u64);
            for point in points {
                w.0.extend_from_slice(point);
            }
        });
        let head = RequestHead {
            work: self.work,
            stop: self.stop,
        };
        (json(&head), numbers.0)
    }

    pub fn decode(head: &str, numbers: &[f64]) -> Result<ChunkRequest, String> {
        let head: RequestHead = serde_json::from_str(head).map_err(|e| e.to_string())?;
        let mut tape = Reader::new(numbers);
        let state = tape.state()?;
        let evaluate = tape.maybe(|t| {
            (0..t.length()?)
                .map(|_| Ok([t.number()?, t.number()?]))
                .collect::<Result<_, String>>()
        })?;
        ended(&tape)?;
        Ok(ChunkRequest {
            work: head.work,
            stop: head.stop,
            state,
            evaluate,
        })
    }
}

/// What a chunk did, or why it could not.
#[derive(Clone, Debug, PartialEq)]
pub enum ChunkReply {
    Trained {
        chunk: Chunk,
        /// Each loss read, with its step number.
        losses: Vec<(u64, f64)>,
        state: Box<RunState>,
        /// When the request asked for it.
        evaluation: Option<Evaluation>,
    },
    Failed(String),
}

#[derive(Serialize, Deserialize)]
enum ReplyHead {
    Trained {
        steps: usize,
        diverged: bool,
        stopped: bool,
    },
    Failed(String),
}

impl ChunkReply {
    pub fn encode(&self) -> (String, Vec<f64>) {
        let mut numbers = Writer::default();
        let head = match self {
            ChunkReply::Trained {
                chunk,
                losses,
                state,
                evaluation,
            } => {
                numbers.count(losses.len() as u64);
                for &(step, loss) in losses {
                    numbers.count(step);
                    numbers.number(loss);
                }
                numbers.state(state);
                numbers.maybe(evaluation.as_ref(), |w, e| {
                    w.maybe(e.accuracy, Writer::number);
                    w.maybe(e.predictions.as_ref(), |w, predictions| {
                        w.count(predictions.len() as u64);
                        for &(class, probability) in predictions {
                            w.count(class as u64);
                            w.number(probability);
                        }
                    });
                    w.number(e.took_ms);
                });
                ReplyHead::Trained {
                    steps: chunk.steps,
                    diverged: chunk.diverged,
                    stopped: chunk.stopped,
                }
            }
            ChunkReply::Failed(why) => ReplyHead::Failed(why.clone()),
        };
        (json(&head), numbers.0)
    }

    pub fn decode(head: &str, numbers: &[f64]) -> Result<ChunkReply, String> {
        let head: ReplyHead = serde_json::from_str(head).map_err(|e| e.to_string())?;
        match head {
            ReplyHead::Trained {
                steps,
                diverged,
                stopped,
            } => {
                let mut tape = Reader::new(numbers);
                let losses = (0..tape.length()?)
                    .map(|_| Ok((tape.count()?, tape.number()?)))
                    .collect::<Result<_, String>>()?;
                let state = Box::new(tape.state()?);
                let evaluation = tape.maybe(|t| {
                    let accuracy = t.maybe(Reader::number)?;
                    let predictions = t.maybe(|t| {
                        (0..t.length()?)
                            .map(|_| Ok((t.index()?, t.number()?)))
                            .collect::<Result<_, String>>()
                    })?;
                    let took_ms = t.number()?;
                    Ok(Evaluation {
                        accuracy,
                        predictions,
                        took_ms,
                    })
                })?;
                ended(&tape)?;
                Ok(ChunkReply::Trained {
                    chunk: Chunk {
                        steps,
                        diverged,
                        stopped,
                    },
                    losses,
                    state,
                    evaluation,
                })
            }
            ReplyHead::Failed(why) => Ok(ChunkReply::Failed(why)),
        }
    }
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn ended(tape: &Reader) -> Result<(), String> {
    if tape.done() {
        Ok(())
    } else {
        Err("the training state goes on past its end".into())
    }
}

/// The worker's run: the seed's program on the CPU, trained a chunk at a time from the
/// state each request brings.
pub struct Remote {
    run: Run<CpuBackend>,
}

impl Remote {
    /// Build the run `seed` describes (providing its dataset's rows first).
    pub fn seed(seed: Seed) -> Result<Remote, String> {
        if let Some((data, table)) = seed.data {
            provided::provide_split(&data.name, table, data.test_share);
        }
        let mut source = Source::default();
        source.set(&seed.program);
        if let Some(problem) = source.problem() {
            return Err(format!("the program {problem}"));
        }
        let graph = source.graph().cloned().ok_or("the program has no graph")?;
        let training = read_training(&seed.program);
        let run = Run::new(CpuBackend::new(), graph, &training).map_err(|e| e.to_string())?;
        Ok(Remote { run })
    }

    /// Train the chunk `request` asks for, from its state; `clock` reads the time in ms.
    pub async fn chunk(&mut self, request: ChunkRequest, clock: &dyn Fn() -> f64) -> ChunkReply {
        let run = &mut self.run;
        if let Err(error) = run.restore(request.state) {
            return ChunkReply::Failed(error.to_string());
        }
        run.set_stop(request.stop);
        let before = run.losses().len();
        let chunk = match request.work {
            Work::For(budget_ms) => run.train_for(budget_ms, clock).await,
            Work::Steps(steps) => run.train_steps(steps).await,
        };
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(error) => return ChunkReply::Failed(error.to_string()),
        };
        let losses = run.losses()[before..].to_vec();
        let evaluation = match request.evaluate {
            Some(points) => match evaluate(run, &points, clock).await {
                Ok(evaluation) => Some(evaluation),
                Err(error) => return ChunkReply::Failed(error.to_string()),
            },
            None => None,
        };
        match run.state() {
            Some(state) => ChunkReply::Trained {
                chunk,
                losses,
                state: Box::new(state),
                evaluation,
            },
            None => ChunkReply::Failed("the run is not on the CPU".into()),
        }
    }
}

/// The run's accuracy and its predictions at `points` (none asked, none given).
async fn evaluate(
    run: &mut Run<CpuBackend>,
    points: &[[f64; 2]],
    clock: &dyn Fn() -> f64,
) -> Result<Evaluation, crate::train::TrainError> {
    let start = clock();
    let accuracy = run.accuracy().await?;
    let predictions = match points {
        [] => None,
        points => run.predict_points(points).await?,
    };
    Ok(Evaluation {
        accuracy,
        predictions,
        took_ms: clock() - start,
    })
}

#[cfg(test)]
mod tests;
