use super::*;
use crate::program::compile;

fn symbolic(source: &str) -> (Graph, Symbolic) {
    let graph = compile(source).unwrap();
    let symbolic = differentiate(&graph).unwrap();
    (graph, symbolic)
}

fn names(graph: &Graph) -> Vec<String> {
    graph
        .inputs()
        .map(|id| graph.node(id).name.clone())
        .collect()
}

#[test]
fn the_seed_example_by_the_rules() {
    let (graph, s) = symbolic("(x1+x2)*x1");
    let names = names(&graph);
    assert_eq!(s.arena.text(s.output, &names).unwrap(), "(x1 + x2)·x1");
    let d1 = s.derivatives[0].unwrap();
    let d2 = s.derivatives[1].unwrap();
    // ∂/∂x1: x1 through v3 (the factor 1 left out), then v3 itself.
    assert_eq!(s.arena.text(d1, &names).unwrap(), "x1 + (x1 + x2)");
    assert_eq!(s.arena.text(d2, &names).unwrap(), "x1");
    assert_eq!(s.arena.eval(d1, &[3.0, 4.0]), 10.0);
    assert_eq!(s.arena.eval(d2, &[3.0, 4.0]), 3.0);
    assert_eq!(s.arena.tree_size(d1), 5);
}

/// `v1 = x·x, v2 = v1·v1, …`: the forward tree has 2^(k+1) − 1 nodes, and the derivative
/// d_k = 2·(1 + f_(k−1) + d_(k−1)) + 1 (each product-rule term copies both sides).
#[test]
fn repeated_squaring_swells() {
    let mut program = String::from("v1 = x*x");
    let mut sizes = Vec::new();
    for k in 2..=6 {
        program.push_str(&format!("\nv{k} = v{}*v{}", k - 1, k - 1));
        let (_, s) = symbolic(&format!("{program}\nv{k}"));
        let derivative = s.derivatives[0].unwrap();
        sizes.push((s.arena.tree_size(s.output), s.arena.tree_size(derivative)));
    }
    assert_eq!(sizes, [(7, 15), (15, 47), (31, 127), (63, 319), (127, 767)]);
}

#[test]
fn outputs_read_by_the_formula_are_the_whole_subexpression() {
    let (graph, s) = symbolic("exp(sin(x))");
    let d = s.derivatives[0].unwrap();
    assert_eq!(
        s.arena.text(d, &names(&graph)).unwrap(),
        "exp(sin(x))·cos(x)"
    );
    let x = 0.7f64;
    assert!((s.arena.eval(d, &[x]) - x.sin().exp() * x.cos()).abs() < 1e-15);
    let (graph, s) = symbolic("x^3 - x/y");
    let names = names(&graph);
    let dx = s.derivatives[0].unwrap();
    let dy = s.derivatives[1].unwrap();
    assert_eq!(s.arena.text(dx, &names).unwrap(), "3·x^2 + -(1/y)");
    assert_eq!(s.arena.text(dy, &names).unwrap(), "-(-(x/y^2))");
    assert_eq!(s.arena.eval(dx, &[2.0, 4.0]), 11.75);
    assert_eq!(s.arena.eval(dy, &[2.0, 4.0]), 0.125);
}

#[test]
fn an_input_the_output_does_not_read_has_no_derivative() {
    let (_, s) = symbolic("a = x*2; b = y + 1; a");
    assert!(s.derivatives[0].is_some());
    assert_eq!(s.derivatives[1], None);
}

#[test]
fn a_tree_too_large_is_not_written_but_still_counted() {
    let mut program = String::from("v1 = x*x");
    for k in 2..=70 {
        program.push_str(&format!("\nv{k} = v{}*v{}", k - 1, k - 1));
    }
    let (graph, s) = symbolic(&format!("{program}\nv70"));
    let d = s.derivatives[0].unwrap();
    assert_eq!(s.arena.tree_size(d), u64::MAX);
    assert_eq!(s.arena.text(d, &names(&graph)), None);
    assert!(s.arena.len() < 1_000, "{}", s.arena.len());
    assert_eq!(s.arena.eval(d, &[1.0]), 2f64.powi(70));
}
