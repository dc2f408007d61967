//! A run trained a chunk at a time through the worker's messages (state out, encoded,
//! decoded, trained, state back) is, to the bit, the run trained on the page: with every
//! optimizer, unzeroed gradients, a low precision with dynamic loss scaling and clipping,
//! and a step the page takes itself between chunks. The tape survives any number and
//! refuses a cut one.

use super::*;
use crate::backend::block_on;
use crate::data::own::Own;
use crate::playground::form::{Form, Training, write_program};
use crate::playground::options::numerics::Numerics;
use crate::precision::Precision;
use crate::tensor::Tensor;
use crate::train::{LossScaling, OptimizerKind};

fn program(training: Training) -> String {
    let form = Form {
        points: 96,
        batch: 32,
        training,
        ..Form::default()
    };
    write_program(&form)
}

fn page_run(program: &str) -> Run<CpuBackend> {
    let mut source = Source::default();
    source.set(program);
    let graph = source.graph().cloned().expect("the program compiles");
    Run::new(CpuBackend::new(), graph, &read_training(program)).unwrap()
}

/// One chunk of `steps` through the worker's messages, both ways encoded.
fn relay(page: &mut Run<CpuBackend>, remote: &mut Remote, work: Work) {
    let request = ChunkRequest {
        work,
        stop: None,
        state: page.state().unwrap(),
        evaluate: None,
    };
    let request = ChunkRequest::decode(&request.encode()).unwrap();
    let tick = std::cell::Cell::new(0.0);
    let clock = || {
        tick.set(tick.get() + 1.0);
        tick.get()
    };
    let reply = block_on(remote.chunk(request, &clock)).unwrap();
    let reply = ChunkReply::decode(&reply.encode()).unwrap();
    page.restore(reply.state).unwrap();
    page.extend_losses(&reply.losses);
}

fn bits(losses: &[(u64, f64)]) -> Vec<(u64, u64)> {
    losses.iter().map(|&(s, l)| (s, l.to_bits())).collect()
}

fn trainings() -> Vec<Training> {
    let plain = Training::default();
    vec![
        plain,
        Training {
            optimizer: OptimizerKind::Momentum,
            learning_rate: 0.05,
            zero_grads: false,
            ..plain
        },
        Training {
            optimizer: OptimizerKind::Sgd,
            learning_rate: 0.1,
            ..plain
        },
        Training {
            numerics: Numerics {
                precision: Precision::F16,
                loss_scale: Some(LossScaling::Dynamic),
                clip_norm: Some(0.5),
            },
            ..plain
        },
    ]
}

#[test]
fn a_run_trained_through_the_worker_is_the_run_trained_on_the_page() {
    for training in trainings() {
        let text = program(training);
        let (mut page, mut reference) = (page_run(&text), page_run(&text));
        let mut remote = Remote::seed(Seed::of(&text, None)).unwrap();
        for round in 0..4 {
            relay(&mut page, &mut remote, Work::Steps(5));
            block_on(reference.train_steps(5)).unwrap();
            // A time budget of 3 ticks: 3 steps (the clock moves 1 ms a read).
            relay(&mut page, &mut remote, Work::For(3.0));
            let tick = std::cell::Cell::new(0.0);
            let clock = || {
                tick.set(tick.get() + 1.0);
                tick.get()
            };
            block_on(reference.train_for(3.0, &clock)).unwrap();
            if round == 1 {
                // "Train one step" on the page, between chunks.
                block_on(page.step()).unwrap();
                block_on(reference.step()).unwrap();
            }
        }
        assert_eq!(page.steps(), 4 * 8 + 1, "{training:?}");
        assert_eq!(
            bits(page.losses()),
            bits(reference.losses()),
            "{training:?}"
        );
        assert_eq!(page.state(), reference.state(), "{training:?}");
        // And straight, without chunks: the same losses.
        let mut straight = page_run(&text);
        for _ in 0..page.steps() {
            block_on(straight.step()).unwrap();
        }
        assert_eq!(bits(page.losses()), bits(straight.losses()), "{training:?}");
        let first = page.losses()[0].1;
        let last = page.losses().last().unwrap().1;
        assert!(last < first, "{training:?}: {first} -> {last}");
    }
}

#[test]
fn the_worker_needs_the_state_it_is_given_not_its_own() {
    // A worker whose own run went ahead (a chunk the page never took, as when a pause
    // terminated it) trains from the page's state.
    let text = program(Training::default());
    let (mut page, mut reference) = (page_run(&text), page_run(&text));
    let mut remote = Remote::seed(Seed::of(&text, None)).unwrap();
    relay(&mut page, &mut remote, Work::Steps(4));
    let mut lost = page_run(&text);
    relay(&mut lost, &mut remote, Work::Steps(9));
    relay(&mut page, &mut remote, Work::Steps(4));
    block_on(reference.train_steps(4)).unwrap();
    block_on(reference.train_steps(4)).unwrap();
    assert_eq!(bits(page.losses()), bits(reference.losses()));
    assert_eq!(page.state(), reference.state());
}

#[test]
fn the_stop_holds_in_the_worker() {
    let text = program(Training::default());
    let mut page = page_run(&text);
    let mut remote = Remote::seed(Seed::of(&text, None)).unwrap();
    let request = ChunkRequest {
        work: Work::Steps(50),
        stop: Some(7),
        state: page.state().unwrap(),
        evaluate: None,
    };
    let reply = block_on(remote.chunk(request, &|| 0.0)).unwrap();
    assert_eq!(reply.evaluation, None, "none asked");
    assert_eq!((reply.chunk.steps, reply.chunk.stopped), (7, true));
    assert_eq!(reply.losses.len(), 7);
    page.restore(reply.state).unwrap();
    assert_eq!(page.steps(), 7);
}

#[test]
fn a_program_that_does_not_compile_is_refused_in_words() {
    let error = Remote::seed(Seed::of("W = param(", None)).err().unwrap();
    assert!(error.starts_with("the program does not parse"), "{error}");
}

#[test]
fn a_seed_carries_its_dataset_rows_exactly() {
    let table = Table {
        feature_names: vec!["a".into(), "b".into()],
        features: vec![0.1, f64::MIN_POSITIVE, -0.0, 1e300],
        targets: vec![1.0, 0.0],
        class_names: vec!["no".into(), "yes".into()],
    };
    let seed = Seed {
        program: "# a \"quoted\" comment, ünïcode and 🙂\nw = param(1)\nL = w * w".into(),
        data: Some(("own".into(), table, 0.25)),
        held: None,
    };
    let back = Seed::decode(&seed.encode()).unwrap();
    assert_eq!(back, seed);
    let (_, back_table, _) = back.data.unwrap();
    assert_eq!(back_table.features[2].to_bits(), (-0.0f64).to_bits());
    // A code point that is no character is refused.
    let mut bad = seed.encode();
    bad[1] = f64::from(0xD800);
    assert!(Seed::decode(&bad).unwrap_err().contains("not a character"));
}

#[test]
fn the_tape_keeps_every_number_and_refuses_a_cut_one() {
    let text = program(trainings()[3]);
    let mut run = page_run(&text);
    block_on(run.train_steps(3)).unwrap();
    let mut state = run.state().unwrap();
    state.params[0].1 = Tensor::from_vec(
        state.params[0].1.shape().to_vec(),
        (state.params[0].1.data().iter().enumerate())
            .map(|(i, &x)| match i {
                0 => f64::NAN,
                1 => f64::NEG_INFINITY,
                2 => -0.0,
                3 => 5e-324,
                _ => x,
            })
            .collect(),
    )
    .unwrap();
    let reply = ChunkReply {
        chunk: Chunk {
            steps: 3,
            diverged: false,
            stopped: false,
        },
        losses: vec![(1, 0.5), (2, f64::INFINITY)],
        state: state.clone(),
        evaluation: Some(Evaluation {
            accuracy: None,
            predictions: Some(vec![(1, 0.25), (0, f64::NAN)]),
            took_ms: 3.5,
        }),
    };
    let numbers = reply.encode();
    let ChunkReply {
        losses,
        state: back,
        evaluation,
        ..
    } = ChunkReply::decode(&numbers).unwrap();
    assert_eq!(bits(&losses), bits(&[(1, 0.5), (2, f64::INFINITY)]));
    let evaluation = evaluation.unwrap();
    let predictions = evaluation.predictions.unwrap();
    assert_eq!((evaluation.accuracy, evaluation.took_ms), (None, 3.5));
    assert_eq!((predictions[0], predictions[1].0), ((1, 0.25), 0));
    assert!(predictions[1].1.is_nan());
    let sent: Vec<u64> = state.params[0]
        .1
        .data()
        .iter()
        .map(|x| x.to_bits())
        .collect();
    let got: Vec<u64> = back.params[0]
        .1
        .data()
        .iter()
        .map(|x| x.to_bits())
        .collect();
    assert_eq!(got, sent);
    assert!(back.scaler.is_some() && back.record.profiles == state.record.profiles);
    // Every cut of the tape, and a tape with a number too many, is refused in words.
    for end in 0..numbers.len() {
        let error = ChunkReply::decode(&numbers[..end]).unwrap_err();
        assert!(error.contains("message"), "{end}: {error}");
    }
    let mut longer = numbers.clone();
    longer.push(0.0);
    assert!(ChunkReply::decode(&longer).is_err());
    // A count that is not a whole number is refused too.
    let mut bad = numbers;
    bad[0] = 0.5;
    assert!(
        ChunkReply::decode(&bad)
            .unwrap_err()
            .contains("not a count")
    );
    assert!(ChunkReply::decode(&[]).is_err());
}

#[test]
fn a_program_without_data_trains_through_the_worker_too() {
    let text = "# train: adam, learning rate 0.01\nA = randn([24, 24], 1)\nT = randn([24, 24], 2)\nW1 = param(randn([24, 24], 3) * 0.2)\nW2 = param(randn([24, 24], 4) * 0.2)\nL = sum((tanh(A @ W1) @ W2 - T) ^ 2)";
    let (mut page, mut reference) = (page_run(text), page_run(text));
    let mut remote = Remote::seed(Seed::of(text, None)).unwrap();
    for _ in 0..3 {
        relay(&mut page, &mut remote, Work::Steps(4));
        block_on(reference.train_steps(4)).unwrap();
    }
    assert_eq!(bits(page.losses()), bits(reference.losses()));
    assert_eq!(page.state(), reference.state());
}

#[test]
fn the_worker_evaluates_the_run_as_the_page_would() {
    let text = program(Training::default());
    let mut page = page_run(&text);
    let mut remote = Remote::seed(Seed::of(&text, None)).unwrap();
    relay(&mut page, &mut remote, Work::Steps(20));
    let points: Vec<[f64; 2]> = (0..50)
        .map(|i| [f64::from(i) / 10.0 - 2.5, f64::from(i % 7) / 3.0 - 1.0])
        .collect();
    let request = ChunkRequest {
        work: Work::Steps(3),
        stop: None,
        state: page.state().unwrap(),
        evaluate: Some(points.clone()),
    };
    let request = ChunkRequest::decode(&request.encode()).unwrap();
    let reply = block_on(remote.chunk(request, &|| 0.0)).unwrap();
    let ChunkReply {
        state, evaluation, ..
    } = ChunkReply::decode(&reply.encode()).unwrap();
    page.restore(state).unwrap();
    let evaluation = evaluation.expect("the evaluation asked for");
    let accuracy = block_on(page.accuracy()).unwrap();
    assert!(accuracy.is_some_and(|a| a > 0.5), "{accuracy:?}");
    assert_eq!(evaluation.accuracy, accuracy);
    assert_eq!(
        evaluation.predictions,
        block_on(page.predict_points(&points)).unwrap()
    );
    assert_eq!(evaluation.predictions.map(|p| p.len()), Some(50));
}

#[test]
fn rows_kept_by_the_page_go_to_the_worker_with_the_seed() {
    let rows = 1200;
    let own = Own {
        table: Table {
            feature_names: vec!["a".into(), "b".into()],
            features: (0..rows * 2)
                .map(|i| ((i * 7) % 13) as f64 / 4.0 - 1.5)
                .collect(),
            targets: (0..rows).map(|r| (r % 2) as f64).collect(),
            class_names: vec!["left".into(), "right".into()],
        },
        task: Task::Classification,
        test_share: 0.2,
    };
    assert!(own.kept_by_page(), "more rows than a program holds");
    let form = Form {
        dataset: "own".into(),
        points: own::train_rows(rows, own.test_share),
        batch: 32,
        ..Form::default()
    };
    let text = own::with_own(&write_program(&form), &own);
    let seed = Seed::of(&text, None);
    assert_eq!(seed.held, Some((own.table.clone(), own.task)));
    let encoded = seed.encode();
    // The worker is another thread: it holds no rows but those the seed brings.
    std::thread::spawn(move || {
        let mut without = Seed::decode(&encoded).unwrap();
        without.held = None;
        let error = Remote::seed(without).err().expect("no rows, no run");
        assert!(error.contains("stayed in the page"), "{error}");
        let mut remote = Remote::seed(Seed::decode(&encoded).unwrap()).expect("the page's rows");
        let mut page = page_run(&text);
        relay(&mut page, &mut remote, Work::Steps(2));
        assert_eq!(page.losses().len(), 2);
    })
    .join()
    .unwrap();
}
