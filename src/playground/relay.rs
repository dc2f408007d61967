//! The messages between the playground page and its training worker, which trains a CPU
//! run off the page's thread, and the worker's end of them.
//!
//! Each message is numbers only (an `f64` tape, passed as a `Float64Array`, so no bit of
//! a number changes on the way; text goes as its characters' code points):
//! - [`Seed`]: the program and the rows of the shipped dataset it reads, once per worker;
//! - [`ChunkRequest`]: the page's run state ([`RunState`]), how much to train, and
//!   whether to evaluate the run after;
//! - [`ChunkReply`]: what the chunk did, its losses, the run state after it and the
//!   [`Evaluation`] asked for. A chunk that fails is the worker's error, in words.
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
use crate::data::own::{self, held};
use crate::data::provided;
use crate::data::table::{Table, Task};
use tape::{ReadRun, Reader, WireError, WriteRun, Writer};

/// What a worker's run is built from: the program's text (own data's rows are in its
/// comments) and the rows of the shipped dataset it reads, by name, with the share of
/// them held out.
#[derive(Clone, Debug, PartialEq)]
pub struct Seed {
    pub program: String,
    pub data: Option<(String, Table, f64)>,
    /// Own data of more rows than the program holds, kept by the page (the worker is
    /// given them to keep too, under the same key), with how they are read.
    pub held: Option<(Table, Task)>,
}

impl Seed {
    /// The seed of `program`, with the provided table of `dataset` (a shipped dataset's
    /// name) if the page has one.
    pub fn of(program: &str, dataset: Option<&str>) -> Seed {
        let data = dataset.and_then(|name| {
            let (table, test_share) = provided::get_split(name)?;
            Some((name.to_string(), Table::clone(&table), test_share))
        });
        let held = own::held_table(program).map(|(table, task)| (Table::clone(&table), task));
        Seed {
            program: program.to_string(),
            data,
            held,
        }
    }

    pub fn encode(&self) -> Vec<f64> {
        let mut tape = Writer::default();
        tape.text(&self.program);
        tape.maybe(self.data.as_ref(), |w, (name, table, share)| {
            w.text(name);
            w.number(*share);
            w.texts(&table.feature_names);
            w.texts(&table.class_names);
            w.numbers(&table.features);
            w.numbers(&table.targets);
        });
        tape.maybe(self.held.as_ref(), |w, (table, task)| {
            w.count(u64::from(*task == Task::Regression));
            w.texts(&table.feature_names);
            w.texts(&table.class_names);
            w.numbers(&table.features);
            w.numbers(&table.targets);
        });
        tape.0
    }

    pub fn decode(numbers: &[f64]) -> Result<Seed, WireError> {
        let mut tape = Reader::new(numbers);
        let program = tape.text()?;
        let data = tape.maybe(|t| {
            let (name, share) = (t.text()?, t.number()?);
            let table = Table {
                feature_names: t.texts()?,
                class_names: t.texts()?,
                features: t.numbers()?,
                targets: t.numbers()?,
            };
            Ok((name, table, share))
        })?;
        let held = tape.maybe(|t| {
            let task = match t.count()? {
                0 => Task::Classification,
                _ => Task::Regression,
            };
            let table = Table {
                feature_names: t.texts()?,
                class_names: t.texts()?,
                features: t.numbers()?,
                targets: t.numbers()?,
            };
            Ok((table, task))
        })?;
        ended(&tape)?;
        Ok(Seed {
            program,
            data,
            held,
        })
    }
}

/// How much one chunk trains.
#[derive(Clone, Copy, Debug, PartialEq)]
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

impl ChunkRequest {
    pub fn encode(&self) -> Vec<f64> {
        let mut tape = Writer::default();
        match self.work {
            Work::For(ms) => {
                tape.count(0);
                tape.number(ms);
            }
            Work::Steps(steps) => {
                tape.count(1);
                tape.count(steps as u64);
            }
        }
        tape.maybe(self.stop, Writer::count);
        tape.state(&self.state);
        tape.maybe(self.evaluate.as_ref(), |w, points| {
            w.count(points.len() as u64);
            for point in points {
                w.0.extend_from_slice(point);
            }
        });
        tape.0
    }

    pub fn decode(numbers: &[f64]) -> Result<ChunkRequest, WireError> {
        let mut tape = Reader::new(numbers);
        let work = match tape.count()? {
            0 => Work::For(tape.number()?),
            1 => Work::Steps(tape.index()?),
            kind => return Err(format!("work {kind} is not known")),
        };
        let stop = tape.maybe(Reader::count)?;
        let state = tape.state()?;
        let evaluate = tape.maybe(|t| {
            (0..t.length()?)
                .map(|_| Ok([t.number()?, t.number()?]))
                .collect::<Result<_, WireError>>()
        })?;
        ended(&tape)?;
        Ok(ChunkRequest {
            work,
            stop,
            state,
            evaluate,
        })
    }
}

/// What a chunk did.
#[derive(Clone, Debug, PartialEq)]
pub struct ChunkReply {
    pub chunk: Chunk,
    /// Each loss read, with its step number.
    pub losses: Vec<(u64, f64)>,
    pub state: RunState,
    /// When the request asked for it.
    pub evaluation: Option<Evaluation>,
}

impl ChunkReply {
    pub fn encode(&self) -> Vec<f64> {
        let mut tape = Writer::default();
        tape.count(self.chunk.steps as u64);
        tape.flag(self.chunk.diverged);
        tape.flag(self.chunk.stopped);
        tape.count(self.losses.len() as u64);
        for &(step, loss) in &self.losses {
            tape.count(step);
            tape.number(loss);
        }
        tape.state(&self.state);
        tape.maybe(self.evaluation.as_ref(), |w, e| {
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
        tape.0
    }

    pub fn decode(numbers: &[f64]) -> Result<ChunkReply, WireError> {
        let mut tape = Reader::new(numbers);
        let chunk = Chunk {
            steps: tape.index()?,
            diverged: tape.flag()?,
            stopped: tape.flag()?,
        };
        let losses = (0..tape.length()?)
            .map(|_| Ok((tape.count()?, tape.number()?)))
            .collect::<Result<_, WireError>>()?;
        let state = tape.state()?;
        let evaluation = tape.maybe(|t| {
            let accuracy = t.maybe(Reader::number)?;
            let predictions = t.maybe(|t| {
                (0..t.length()?)
                    .map(|_| Ok((t.index()?, t.number()?)))
                    .collect::<Result<_, WireError>>()
            })?;
            let took_ms = t.number()?;
            Ok(Evaluation {
                accuracy,
                predictions,
                took_ms,
            })
        })?;
        ended(&tape)?;
        Ok(ChunkReply {
            chunk,
            losses,
            state,
            evaluation,
        })
    }
}

fn ended(tape: &Reader) -> Result<(), WireError> {
    if tape.done() {
        Ok(())
    } else {
        Err("the message goes on past its end".into())
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
        if let Some((name, table, test_share)) = seed.data {
            provided::provide_split(&name, table, test_share);
        }
        if let Some((table, task)) = &seed.held {
            held::hold(table, *task);
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
    /// `Err` says in words why the chunk could not be trained.
    pub async fn chunk(
        &mut self,
        request: ChunkRequest,
        clock: &dyn Fn() -> f64,
    ) -> Result<ChunkReply, String> {
        let run = &mut self.run;
        run.restore(request.state).map_err(|e| e.to_string())?;
        run.set_stop(request.stop);
        let before = run.losses().len();
        let chunk = match request.work {
            Work::For(budget_ms) => run.train_for(budget_ms, clock).await,
            Work::Steps(steps) => run.train_steps(steps).await,
        };
        let chunk = chunk.map_err(|e| e.to_string())?;
        let losses = run.losses()[before..].to_vec();
        let evaluation = match request.evaluate {
            Some(points) => Some(
                evaluate(run, &points, clock)
                    .await
                    .map_err(|e| e.to_string())?,
            ),
            None => None,
        };
        let state = run.state().ok_or("the run is not on the CPU")?;
        Ok(ChunkReply {
            chunk,
            losses,
            state,
            evaluation,
        })
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
