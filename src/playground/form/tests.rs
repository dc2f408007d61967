//! The form writes programs that compile and read back to the same form, and reads the
//! programs people write in the same shape.

use super::*;
use crate::examples;
use crate::precision::Precision;
use crate::program::compile;
use crate::train::LossScaling;

fn round_trip(form: &Form) -> Form {
    let text = write_program(form);
    let graph = compile(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    read_form(&graph, &text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn the_default_form_is_the_moons_example() {
    let text = write_program(&Form::default());
    let example = examples::all()
        .into_iter()
        .find(|e| e.slug == "moons-mlp")
        .expect("the moons example");
    let body = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(body(&text), body(example.program), "{text}");
    let graph = compile(example.program).unwrap();
    assert_eq!(read_form(&graph, example.program).unwrap(), Form::default());
}

/// Every numeric option and initialiser, taken in turn by the forms below.
fn numerics(k: usize) -> Numerics {
    let scales = [
        None,
        Some(LossScaling::Dynamic),
        Some(LossScaling::Static(512.0)),
    ];
    Numerics {
        precision: Precision::ALL[k % 4],
        loss_scale: scales[k / 4 % 3],
        clip_norm: [None, Some(1.0), Some(0.5)][k / 12 % 3],
    }
}

#[test]
fn every_form_reads_back_as_written() {
    let mut k = 0;
    for dataset in dataset_names() {
        for activation in Activation::ALL {
            for hidden in [vec![], vec![8], vec![16, 16], vec![12, 6, 4]] {
                for optimizer in OptimizerKind::ALL {
                    k += 1;
                    let form = Form {
                        dataset: dataset.into(),
                        points: 128,
                        batch: 32,
                        seed: 7,
                        hidden: hidden.clone(),
                        activation,
                        init: WeightInit::ALL[k % 3],
                        training: Training {
                            optimizer,
                            learning_rate: 0.125,
                            zero_grads: optimizer != OptimizerKind::Sgd,
                            numerics: numerics(k),
                        },
                    };
                    assert_eq!(round_trip(&form), form);
                }
            }
        }
    }
}

#[test]
fn programs_spelled_differently_still_read() {
    let text = "# my own net
# train: momentum, lr = 0.1, gradients not zeroed
data = features(circles, 200, 50)
truth = labels(circles, 200, 50)
A = param(randn([2, 5], 9))
a = param(zeros([5]))
B = param(randn([5, 2], 3) * 0.1)
c = param(ones([2]))
hidden = tanh(a + data @ A)
out = hidden @ B + c
cross_entropy(out, truth)";
    let graph = compile(text).unwrap();
    let form = read_form(&graph, text).unwrap();
    assert_eq!(form.dataset, "circles");
    assert_eq!((form.points, form.batch, form.seed), (200, 50, 0));
    assert_eq!(form.hidden, vec![5]);
    assert_eq!(form.activation, Activation::Tanh);
    assert_eq!(
        form.training,
        Training {
            optimizer: OptimizerKind::Momentum,
            learning_rate: 0.1,
            zero_grads: false,
            numerics: Numerics::default(),
        }
    );
}

#[test]
fn programs_beyond_the_form_say_why() {
    let cases = [
        ("x = param(3); x * x", "cross_entropy"),
        (
            "X = features(moons, 64, 8)\ny = labels(moons, 64, 8)\nW = param(randn([2, 2], 1))\nb = param(zeros([2]))\nL = cross_entropy(relu(X @ W + b), y)",
            "followed by `relu`",
        ),
        (
            "X = features(moons, 64, 8)\ny = labels(moons, 64, 8)\nW1 = param(randn([2, 4], 1))\nb1 = param(zeros([4]))\nW2 = param(randn([4, 4], 2))\nb2 = param(zeros([4]))\nW3 = param(randn([4, 2], 3))\nb3 = param(zeros([2]))\nh1 = relu(X @ W1 + b1)\nh2 = tanh(h1 @ W2 + b2)\nL = cross_entropy(h2 @ W3 + b3, y)",
            "different activations",
        ),
        (
            "X = features(moons, 64, 8)\ny = labels(moons, 64, 8)\nW = param(randn([2, 2], 1))\nL = cross_entropy(X @ W * 2, y)",
            "not a layer",
        ),
    ];
    for (text, reason) in cases {
        let graph = compile(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let error = read_form(&graph, text).unwrap_err().to_string();
        assert!(error.contains(reason), "{error} for\n{text}");
    }
}

#[test]
fn the_training_line_is_replaced_in_place() {
    let text = "# title\nx = param(1)\nx * x\n";
    let training = Training {
        optimizer: OptimizerKind::Sgd,
        learning_rate: 0.5,
        zero_grads: false,
        numerics: Numerics::default(),
    };
    let with = with_training(text, &training);
    assert_eq!(
        with,
        "# title\n# train: sgd, learning rate 0.5, gradients not zeroed\nx = param(1)\nx * x\n"
    );
    assert_eq!(read_training(&with), training);
    let again = with_training(&with, &Training::default());
    assert_eq!(
        again,
        "# title\n# train: adam, learning rate 0.02\nx = param(1)\nx * x\n"
    );
    assert_eq!(read_training("no line"), Training::default());
    assert_eq!(
        read_training("# train: adam, learning rate -1").learning_rate,
        0.02
    );
}

#[test]
fn widths_parse_as_typed() {
    assert_eq!(parse_widths("16, 16"), Some(vec![16, 16]));
    assert_eq!(parse_widths(" 32 8 "), Some(vec![32, 8]));
    assert_eq!(parse_widths(""), Some(vec![]));
    assert_eq!(parse_widths("16, x"), None);
    assert_eq!(parse_widths("0"), None);
    assert_eq!(parse_widths("1000"), None);
    assert_eq!(widths_text(&[16, 8]), "16, 8");
}

#[test]
fn numeric_options_and_the_initialiser_are_in_the_program() {
    let form = Form {
        init: WeightInit::He,
        training: Training {
            numerics: Numerics {
                precision: Precision::F16,
                loss_scale: Some(LossScaling::Dynamic),
                clip_norm: Some(1.0),
            },
            ..Training::default()
        },
        ..Form::default()
    };
    let text = write_program(&form);
    assert!(
        text.contains("# train: adam, learning rate 0.02, f16, loss scale dynamic, clip norm 1\n"),
        "{text}"
    );
    assert!(text.contains("W1 = param(he([2, 16], 1))"), "{text}");
    assert!(text.contains("W3 = param(he([16, 2], 3))"), "{text}");
    assert_eq!(round_trip(&form), form);
    // The training line keeps them when another setting changes, and drops them when
    // they are back to their defaults.
    let faster = Training {
        learning_rate: 0.1,
        ..form.training
    };
    let edited = with_training(&text, &faster);
    assert_eq!(read_training(&edited), faster);
    let plain = with_training(&edited, &Training::default());
    assert!(
        plain.contains("# train: adam, learning rate 0.02\n"),
        "{plain}"
    );
    // A program whose weights are written by hand with `glorot` reads as Glorot.
    let glorot = text.replace("he(", "glorot(");
    let graph = compile(&glorot).unwrap();
    assert_eq!(read_form(&graph, &glorot).unwrap().init, WeightInit::Glorot);
}
