//! An equation kept in parts — `lhs relation symbolic = numeric = result`, each side
//! rendered in one notation — so views can show the rule, the numbers or both, and align
//! on the relation, without reading the text back.

use super::notation::{Notation, Operator};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// `=`
    Equals,
    /// `+=`, an adjoint update.
    PlusEquals,
}

impl From<Relation> for Operator {
    fn from(relation: Relation) -> Operator {
        match relation {
            Relation::Equals => Operator::Equals,
            Relation::PlusEquals => Operator::PlusEquals,
        }
    }
}

/// `x̄1 += ∂v4/∂x1 · v̄4 = 7 · 1 = 7` as `lhs`, `relation`, `symbolic`, `numeric`, `result`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Equation {
    pub notation: Notation,
    /// `x̄1`
    pub lhs: String,
    pub relation: Relation,
    /// The right-hand side in symbols: `∂v4/∂x1 · v̄4`.
    pub symbolic: Option<String>,
    /// The right-hand side with numbers substituted: `7 · 1`.
    pub numeric: Option<String>,
    /// `7`
    pub result: String,
}

impl Equation {
    /// `lhs relation result`, to be given right-hand sides with [`Equation::with_symbolic`] and
    /// [`Equation::with_numeric`].
    pub fn new(
        notation: Notation,
        lhs: impl Into<String>,
        relation: Relation,
        result: impl Into<String>,
    ) -> Equation {
        Equation {
            notation,
            lhs: lhs.into(),
            relation,
            symbolic: None,
            numeric: None,
            result: result.into(),
        }
    }

    pub fn with_symbolic(mut self, rhs: impl Into<String>) -> Equation {
        self.symbolic = Some(rhs.into());
        self
    }

    pub fn with_numeric(mut self, rhs: impl Into<String>) -> Equation {
        self.numeric = Some(rhs.into());
        self
    }

    /// In symbols: `x̄1 += ∂v4/∂x1 · v̄4` (the result when there are no symbols: `x1 = 3`).
    pub fn rule(&self) -> String {
        let rhs = self.symbolic.as_deref().unwrap_or(&self.result);
        self.relate(rhs)
    }

    /// With numbers: `x̄1 += 7 · 1 = 7` (just the result when nothing was computed).
    pub fn substituted(&self) -> String {
        match &self.numeric {
            Some(numeric) => self.relate(&self.equals(numeric, &self.result)),
            None => self.relate(&self.result),
        }
    }

    /// The right-hand sides in order, without consecutive repeats (`∂v3/∂x1 = 1`, not
    /// `∂v3/∂x1 = 1 = 1`).
    pub fn chain(&self) -> Vec<&str> {
        let mut chain: Vec<&str> = [self.symbolic.as_deref(), self.numeric.as_deref()]
            .into_iter()
            .flatten()
            .chain([self.result.as_str()])
            .collect();
        chain.dedup();
        chain
    }

    /// The chain joined by `=`: `∂v4/∂x1 · v̄4 = 7 · 1 = 7`.
    pub fn rhs(&self) -> String {
        let mut sides = self.chain().into_iter();
        let first = sides.next().unwrap_or_default().to_string();
        sides.fold(first, |rhs, side| self.equals(&rhs, side))
    }

    fn relate(&self, rhs: &str) -> String {
        self.notation.infix(&self.lhs, self.relation.into(), rhs)
    }

    fn equals(&self, left: &str, right: &str) -> String {
        self.notation.infix(left, Operator::Equals, right)
    }
}

/// The whole chain: `x̄1 += ∂v4/∂x1 · v̄4 = 7 · 1 = 7`.
impl fmt::Display for Equation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.relate(&self.rhs()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update() -> Equation {
        Equation::new(Notation::Plain, "x̄1", Relation::PlusEquals, "7")
            .with_symbolic("∂v4/∂x1 · v̄4")
            .with_numeric("7 · 1")
    }

    #[test]
    fn rule_substituted_and_chain() {
        let e = update();
        assert_eq!(e.rule(), "x̄1 += ∂v4/∂x1 · v̄4");
        assert_eq!(e.substituted(), "x̄1 += 7 · 1 = 7");
        assert_eq!(e.to_string(), "x̄1 += ∂v4/∂x1 · v̄4 = 7 · 1 = 7");
        let input = Equation::new(Notation::Plain, "x1", Relation::Equals, "3");
        assert_eq!(
            (input.rule(), input.substituted(), input.to_string()),
            ("x1 = 3".into(), "x1 = 3".into(), "x1 = 3".into())
        );
    }

    #[test]
    fn the_chain_drops_repeats_but_substituted_keeps_its_form() {
        let copy = Equation::new(Notation::Plain, "y", Relation::Equals, "3")
            .with_symbolic("x")
            .with_numeric("3");
        assert_eq!(copy.chain(), ["x", "3"]);
        assert_eq!(copy.substituted(), "y = 3 = 3");
        let local =
            Equation::new(Notation::Plain, "∂v3/∂x1", Relation::Equals, "1").with_symbolic("1");
        assert_eq!(local.to_string(), "∂v3/∂x1 = 1");
    }

    #[test]
    fn mathml_equations_join_with_operators() {
        let e = Equation::new(
            Notation::MathMl,
            "<mi>a</mi>",
            Relation::PlusEquals,
            "<mn>2</mn>",
        )
        .with_numeric("<mn>1</mn><mo>+</mo><mn>1</mn>");
        assert_eq!(
            e.to_string(),
            "<mi>a</mi><mo>+=</mo><mn>1</mn><mo>+</mo><mn>1</mn><mo>=</mo><mn>2</mn>"
        );
    }
}
