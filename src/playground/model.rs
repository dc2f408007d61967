//! Whether an edited program is still the same model: equal graphs up to where their
//! nodes are written. The training line is a comment at the top, so changing it (a new
//! learning rate, a precision, a loss scale) moves every node's span; the run goes on with
//! the new settings instead of starting over.

use crate::graph::Graph;

/// `a` and `b` compute the same thing from the same leaves (names, ops, shapes, values,
/// roles), wherever in the text they come from.
pub fn same_model(a: &Graph, b: &Graph) -> bool {
    a.output() == b.output()
        && a.nodes().len() == b.nodes().len()
        && a.nodes().iter().zip(b.nodes()).all(|(x, y)| {
            if x.span == y.span {
                x == y
            } else {
                let mut moved = x.clone();
                moved.span = y.span;
                &moved == y
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playground::form::{Form, read_training, with_training, write_program};
    use crate::program::compile;

    #[test]
    fn a_longer_training_line_is_the_same_model() {
        let text = write_program(&Form::default());
        let mut training = read_training(&text);
        training.learning_rate = 0.125;
        training.numerics.clip_norm = Some(1.5);
        let edited = with_training(&text, &training);
        let (a, b) = (compile(&text).unwrap(), compile(&edited).unwrap());
        assert_ne!(a, b, "the spans moved");
        assert!(same_model(&a, &b));
        let wider = write_program(&Form {
            hidden: vec![16, 8],
            ..Form::default()
        });
        assert!(!same_model(&a, &compile(&wider).unwrap()));
        let other_seed = text.replace("randn([2, 16], 1)", "randn([2, 16], 9)");
        assert!(!same_model(&a, &compile(&other_seed).unwrap()));
    }
}
