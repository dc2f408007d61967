use super::*;
use crate::engine::inputs;
use crate::op::Op;
use crate::program::compile;

fn stepper(source: &str, steps: usize) -> Stepper {
    let graph = compile(source).unwrap();
    let values = inputs::resolve(&graph, &[], Some(1.0)).unwrap();
    let mut stepper = Stepper::new(graph, values, Mode::Reverse).unwrap();
    stepper.seek(steps);
    stepper
}

#[test]
fn labels_match_the_view() {
    assert_eq!(op_label(Op::Mul), "×");
    assert_eq!(op_label(Op::PowConst(2.0)), "^2");
    let s = stepper("x1 = 3; x2 = 4; (x1 + x2) * x1", 6);
    let x1 = s.graph().find("x1").unwrap();
    assert_eq!(derivative_line(&s, x1).unwrap(), "x̄1 = 7 + 3 = 10");
    assert_eq!(derivative_total(&s, x1).unwrap(), "x̄1 = 10");
    assert_eq!(exact(s.value(x1).map(|v| &**v)), "3");
    assert_eq!(exact(None), "");
    let small = Tensor::from_vec(vec![2, 2], vec![1.0, 2.5, -3.0, 0.1]).unwrap();
    assert_eq!(exact(Some(&small)), "[[1.0,2.5],[-3.0,0.1]]");
    let large = Tensor::full(&[100, 41], 0.5).unwrap();
    assert_eq!(exact(Some(&large)), "tensor 100×41");
}

#[test]
fn midpoints_of_odd_and_even_paths() {
    let p = |x: f64| Point { x, y: 2.0 * x };
    assert_eq!(midpoint(&[p(0.0), p(2.0), p(4.0)]), p(2.0));
    assert_eq!(midpoint(&[p(0.0), p(2.0)]), p(1.0));
    assert_eq!(midpoint(&[]), Point { x: 0.0, y: 0.0 });
    assert_eq!(edge_path(&[]), "");
    assert_eq!(
        edge_path(&[p(0.0), p(2.0)]),
        "M0.0,0.0 C1.0,0.0 1.0,4.0 2.0,4.0"
    );
}

#[test]
fn the_document_shows_values_adjoints_and_the_step() {
    let s = stepper("x1 = 3; x2 = 4; (x1 + x2) * x1", 6);
    let svg = graph_document(&s, &Palette::LIGHT);
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("data-node=\"v4\" data-value=\"21\""), "{svg}");
    assert!(svg.contains(">= 21</text>"), "{svg}");
    assert!(svg.contains(">x̄1 = 7 + 3 = 10</text>"), "{svg}");
    assert!(svg.contains(">∂v4/∂x1 = 7</text>"), "{svg}");
    assert!(
        svg.contains(">backward 2 / 4: x̄1 += 1 · 3 = 3; x̄2 += 1 · 3 = 3</text>"),
        "{svg}"
    );
    assert!(svg.contains("marker-start=\"url(#arrow)\""), "{svg}");
    let dark = graph_document(&s, &Palette::DARK);
    assert!(dark.contains(Palette::DARK.background));
}

#[test]
fn tensors_show_their_rows() {
    let s = stepper("W = [[1, 2], [3, 4]]; x = [1, 1]; sum(W @ x)", 10);
    let svg = graph_document(&s, &Palette::LIGHT);
    assert!(svg.contains(">= [1, 2]</text>"), "{svg}");
    assert!(svg.contains(">  [3, 4]</text>"), "{svg}");
}

#[test]
fn markup_in_names_and_text_is_escaped() {
    assert_eq!(
        escape("<a href='x'>&\u{1}"),
        "&lt;a href=&#39;x&#39;&gt;&amp;\u{fffd}"
    );
}

#[test]
fn the_edge_into_detach_is_drawn_cut_and_the_others_not() {
    let s = stepper("x = 2; y = detach(x) * x", 0);
    let svg = graph_document(&s, &Palette::LIGHT);
    let edge = |name: &str| {
        svg.lines()
            .find(|line| line.contains(&format!("data-edge=\"{}\"", name.replace('>', "&gt;"))))
            .unwrap_or_else(|| panic!("no edge {name}: {svg}"))
            .to_string()
    };
    let graph = s.graph();
    let detach = graph
        .ids()
        .find(|&id| graph.node(id).op == Op::Detach)
        .unwrap();
    let v = graph.node(detach).name.clone();
    assert!(edge(&format!("x->{v}")).contains("stroke-dasharray=\"5 4\""));
    assert!(!edge("x->y").contains("stroke-dasharray"));
    assert!(!edge(&format!("{v}->y")).contains("stroke-dasharray"));
}
