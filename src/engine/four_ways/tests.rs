use super::*;
use crate::program::compile;

fn report(source: &str, values: &[f64]) -> FourWays {
    let graph = compile(source).unwrap();
    let inputs: Vec<Tensor> = values.iter().map(|&v| Tensor::scalar(v)).collect();
    four_ways(&graph, &inputs).unwrap()
}

#[test]
fn the_seed_example_four_ways() {
    let four = report("(x1+x2)*x1", &[3.0, 4.0]);
    assert_eq!(four.output, 21.0);
    let gradients: Vec<(f64, f64, f64)> = four
        .inputs
        .iter()
        .map(|i| (i.gradient, i.symbolic, i.forward_mode))
        .collect();
    assert_eq!(gradients, [(10.0, 10.0, 10.0), (3.0, 3.0, 3.0)]);
    assert_eq!(
        four.inputs[0].symbolic_text.as_deref(),
        Some("x1 + (x1 + x2)")
    );
    assert_eq!(four.reverse_ratio(), 3.5);
    assert_eq!(four.forward_over_reverse(), 20.0 / 7.0);
    for input in &four.inputs {
        let best = input
            .finite_differences
            .samples
            .iter()
            .find(|s| s.h == input.finite_differences.best_central)
            .unwrap();
        // A quadratic: the central difference is exact but for rounding.
        assert!(best.central_error < 1e-9, "{best:?}");
    }
}

/// Every way agrees with reverse mode on programs using every smooth op.
#[test]
fn every_way_agrees_on_smooth_programs() {
    for (source, values) in [
        ("sigmoid(w*x + b)", &[0.5, 2.0, -0.3][..]),
        (
            "exp(sin(x))*log(1 + y^2) - sqrt(x*x + 1)/tanh(y)",
            &[0.4, 1.3],
        ),
        ("a = x^y; b = cos(a) + gelu(x); b/(1 + a^2)", &[1.2, 0.7]),
    ] {
        let four = report(source, values);
        for input in &four.inputs {
            let close = |v: f64, tolerance: f64| {
                (v - input.gradient).abs() <= tolerance * input.gradient.abs().max(1.0)
            };
            assert!(close(input.symbolic, 1e-12), "{source}: {input:?}");
            assert!(close(input.forward_mode, 1e-12), "{source}: {input:?}");
            let best = input
                .finite_differences
                .samples
                .iter()
                .map(|s| s.central_error)
                .fold(f64::INFINITY, f64::min);
            assert!(best < 1e-8, "{source}: {best}");
        }
    }
}

/// Expression swell next to reverse mode's steady cost: sizes for `x·x` squared again
/// and again, and reverse mode's work growing by the same amount per line.
#[test]
fn swell_grows_while_reverse_mode_stays_linear() {
    let mut program = String::from("v1 = x*x");
    let mut rows = Vec::new();
    for k in 2..=5 {
        program.push_str(&format!("\nv{k} = v{}*v{}", k - 1, k - 1));
        let four = report(&format!("{program}\nv{k}"), &[1.01]);
        rows.push((
            four.expression_size,
            four.inputs[0].symbolic_size,
            four.reverse_mode.operations(),
        ));
    }
    assert_eq!(
        rows,
        [(7, 15, 8), (15, 47, 12), (31, 127, 16), (63, 319, 20)]
    );
}

#[test]
fn tensor_programs_are_refused_with_their_name() {
    let graph = compile("W = [[1, 2]]; sum(W @ [3, 4])").unwrap();
    let inputs = crate::engine::inputs::resolve(&graph, &[], None).unwrap();
    let Err(error) = four_ways(&graph, &inputs) else {
        panic!("not refused")
    };
    assert!(error.to_string().contains("`W` is a tensor"), "{error}");
}

#[test]
fn too_many_inputs_for_a_pass_each_is_an_error() {
    // p1 = x0 * x1, p2 = p1 * x2, …: a product of 400 inputs.
    let mut source = String::from("p0 = x0");
    for k in 1..400 {
        source.push_str(&format!("\np{k} = p{} * x{k}", k - 1));
    }
    let graph = compile(&source).unwrap();
    let inputs = vec![Tensor::scalar(1.0); graph.inputs().count()];
    let Err(error) = four_ways(&graph, &inputs) else {
        panic!("not refused")
    };
    assert!(
        matches!(
            error,
            FourWaysError::TooMuchWork {
                inputs: 400,
                runs: 12_800
            }
        ),
        "{error}"
    );
}
