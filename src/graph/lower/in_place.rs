//! Changes in place, `a += value` (PyTorch's `a.add_(value)`): the name moves on to a new
//! node `a + value`, unless a backward rule has saved the old value of `a` — then the change
//! would make that rule compute a wrong gradient, and like PyTorch's version counter the
//! program is refused, naming the node that saved it.

use super::{LowerError, Lowerer};
use crate::lang::{Expr, Span};
use crate::op::Op;
use crate::tensor::ops::backward_reads;

impl Lowerer {
    /// `name += value`.
    pub(super) fn update(
        &mut self,
        name: &str,
        name_span: Span,
        value: &Expr,
    ) -> Result<crate::graph::NodeId, LowerError> {
        let old = *self
            .scope
            .get(name)
            .ok_or_else(|| LowerError::UsedBeforeDefinition {
                name: name.to_string(),
                span: name_span,
            })?;
        if self.nodes[old.0].op.is_leaf() {
            return Err(LowerError::BadArgument {
                message: format!(
                    "`{name}` is an input: changed in place, its gradient would be for a value \
                     it no longer has; bind a new name instead"
                ),
                span: name_span,
            });
        }
        if let Some(saver) = self.saved_by(old) {
            return Err(LowerError::InPlace {
                name: name.to_string(),
                saved_by: saver,
                span: name_span,
            });
        }
        let added = self.expr(value)?;
        let new = self.push(Op::Add, vec![old, added], name_span.to(value.span))?;
        self.nodes[old.0].name = format!("{name}₀");
        self.nodes[new.0].name = name.to_string();
        self.user_named[new.0] = true;
        self.scope.insert(name.to_string(), new);
        Ok(new)
    }

    /// The first node whose backward rule reads `id`'s value: its own (exp, sigmoid, tanh
    /// and sqrt reuse their output) or a consumer's (a product reads the other factor).
    fn saved_by(&self, id: crate::graph::NodeId) -> Option<String> {
        let node = &self.nodes[id.0];
        let all = |op: Op| vec![true; op.arity()];
        if backward_reads(node.op, &all(node.op)).output {
            return Some(node.name.clone());
        }
        self.nodes[id.0 + 1..].iter().find_map(|consumer| {
            let reads = backward_reads(consumer.op, &all(consumer.op));
            let saves = consumer
                .inputs
                .iter()
                .zip(&reads.args)
                .any(|(&input, &read)| input == id && read);
            saves.then(|| consumer.name.clone())
        })
    }
}
