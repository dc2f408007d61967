//! Local-derivative formulas as small expression trees: evaluated for the numbers and
//! rendered (by `render`) for the explanation, so the two can never disagree.

use serde::{Deserialize, Serialize};

/// A formula over one node's inputs (`Arg(i)`) and its own output value (`Out`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Formula {
    Num(f64),
    Arg(usize),
    Out,
    Neg(Box<Formula>),
    Add(Box<Formula>, Box<Formula>),
    Sub(Box<Formula>, Box<Formula>),
    Mul(Box<Formula>, Box<Formula>),
    Div(Box<Formula>, Box<Formula>),
    Pow(Box<Formula>, Box<Formula>),
    Call(Function, Box<Formula>),
    /// The indicator `1[x > 0]`.
    Positive(Box<Formula>),
}

/// Elementary functions that appear inside derivative formulas.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Function {
    Ln,
    Sin,
    Cos,
    Sign,
    /// The standard normal distribution function Φ.
    NormalCdf,
    /// The standard normal density φ.
    NormalPdf,
}

impl Function {
    pub fn name(self) -> &'static str {
        match self {
            Function::Ln => "ln",
            Function::Sin => "sin",
            Function::Cos => "cos",
            Function::Sign => "sign",
            Function::NormalCdf => "Φ",
            Function::NormalPdf => "φ",
        }
    }

    pub fn apply(self, x: f64) -> f64 {
        match self {
            Function::Ln => x.ln(),
            Function::Sin => x.sin(),
            Function::Cos => x.cos(),
            Function::Sign if x.is_nan() => f64::NAN,
            Function::Sign if x == 0.0 => 0.0,
            Function::Sign => x.signum(),
            Function::NormalCdf => normal_cdf(x),
            Function::NormalPdf => (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt(),
        }
    }
}

/// Φ(x) = (1 + erf(x/√2)) / 2, the probability that a standard normal is below x. The
/// left tail is computed as erfc directly, so it keeps its relative accuracy far out.
pub fn normal_cdf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let tail = 0.5 * erfc_nonnegative(x.abs() / std::f64::consts::SQRT_2);
    if x < 0.0 { tail } else { 1.0 - tail }
}

/// erfc(z) for z ≥ 0, to about 1e-15: below 2.5 from the series
/// erf(z) = 2/√π · e^(−z²) · Σ (2z²)ⁿ z / (1·3·…·(2n+1)), whose terms are all positive;
/// above it from the continued fraction
/// erfc(z) = e^(−z²)/√π · 1/(z + ½/(z + 1/(z + 3⁄2/(z + …)))), evaluated from its tail.
fn erfc_nonnegative(z: f64) -> f64 {
    let scale = (-z * z).exp() / std::f64::consts::PI.sqrt();
    if z < 2.5 {
        let (mut term, mut sum, mut n) = (z, z, 0.0);
        while term > sum * 1e-17 {
            n += 1.0;
            term *= 2.0 * z * z / (2.0 * n + 1.0);
            sum += term;
        }
        1.0 - 2.0 * scale * sum
    } else {
        let mut fraction = z;
        for k in (1..=60).rev() {
            fraction = z + f64::from(k) / 2.0 / fraction;
        }
        scale / fraction
    }
}

/// `base^exponent`, exact for integer exponents (`powi`), `powf` otherwise.
pub fn power(base: f64, exponent: f64) -> f64 {
    if exponent.fract() == 0.0 && exponent.abs() <= f64::from(i32::MAX) {
        base.powi(exponent as i32)
    } else {
        base.powf(exponent)
    }
}

impl Formula {
    /// Whether the formula reads the node's `i`-th input value.
    pub fn reads_arg(&self, i: usize) -> bool {
        self.any(&|f| *f == Formula::Arg(i))
    }

    /// How far the formula is from a jump at these values: the smallest |a| over its steps
    /// `1[a > 0]` and signs `sign(a)` (relu's and abs's derivatives jump where `a` is 0);
    /// None when it has none, as smooth formulas.
    pub fn distance_to_jump(&self, args: &[f64], out: f64) -> Option<f64> {
        let inner = |a: &Formula| a.distance_to_jump(args, out);
        let nearer = |x: Option<f64>, y: Option<f64>| match (x, y) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        };
        match self {
            Formula::Num(_) | Formula::Arg(_) | Formula::Out => None,
            Formula::Positive(a) | Formula::Call(Function::Sign, a) => {
                nearer(Some(a.eval(args, out).abs()), inner(a))
            }
            Formula::Neg(a) | Formula::Call(_, a) => inner(a),
            Formula::Add(a, b)
            | Formula::Sub(a, b)
            | Formula::Mul(a, b)
            | Formula::Div(a, b)
            | Formula::Pow(a, b) => nearer(inner(a), inner(b)),
        }
    }

    /// Whether the formula reads the node's own output value.
    pub fn reads_out(&self) -> bool {
        self.any(&|f| *f == Formula::Out)
    }

    fn any(&self, test: &dyn Fn(&Formula) -> bool) -> bool {
        test(self)
            || match self {
                Formula::Num(_) | Formula::Arg(_) | Formula::Out => false,
                Formula::Neg(a) | Formula::Call(_, a) | Formula::Positive(a) => a.any(test),
                Formula::Add(a, b)
                | Formula::Sub(a, b)
                | Formula::Mul(a, b)
                | Formula::Div(a, b)
                | Formula::Pow(a, b) => a.any(test) || b.any(test),
            }
    }

    /// Evaluate with the node's input values `args` and output value `out`.
    /// A missing argument evaluates to NaN rather than panicking.
    pub fn eval(&self, args: &[f64], out: f64) -> f64 {
        let eval = |f: &Formula| f.eval(args, out);
        match self {
            Formula::Num(n) => *n,
            Formula::Arg(i) => args.get(*i).copied().unwrap_or(f64::NAN),
            Formula::Out => out,
            Formula::Neg(a) => -eval(a),
            Formula::Add(a, b) => eval(a) + eval(b),
            Formula::Sub(a, b) => eval(a) - eval(b),
            Formula::Mul(a, b) => eval(a) * eval(b),
            Formula::Div(a, b) => eval(a) / eval(b),
            Formula::Pow(a, b) => power(eval(a), eval(b)),
            Formula::Call(function, a) => function.apply(eval(a)),
            Formula::Positive(a) => {
                let x = eval(a);
                if x.is_nan() {
                    f64::NAN
                } else if x > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }
}

/// Shorthands so the derivative table in `op.rs` reads like the math.
pub mod build {
    use super::{Formula, Function};

    pub fn num(n: f64) -> Formula {
        Formula::Num(n)
    }
    pub fn arg(i: usize) -> Formula {
        Formula::Arg(i)
    }
    pub fn out() -> Formula {
        Formula::Out
    }
    pub fn neg(a: Formula) -> Formula {
        Formula::Neg(Box::new(a))
    }
    pub fn add(a: Formula, b: Formula) -> Formula {
        Formula::Add(Box::new(a), Box::new(b))
    }
    pub fn sub(a: Formula, b: Formula) -> Formula {
        Formula::Sub(Box::new(a), Box::new(b))
    }
    pub fn mul(a: Formula, b: Formula) -> Formula {
        Formula::Mul(Box::new(a), Box::new(b))
    }
    pub fn div(a: Formula, b: Formula) -> Formula {
        Formula::Div(Box::new(a), Box::new(b))
    }
    pub fn pow(a: Formula, b: Formula) -> Formula {
        Formula::Pow(Box::new(a), Box::new(b))
    }
    pub fn call(function: Function, a: Formula) -> Formula {
        Formula::Call(function, Box::new(a))
    }
    pub fn positive(a: Formula) -> Formula {
        Formula::Positive(Box::new(a))
    }
}

#[cfg(test)]
mod tests {
    use super::build::*;
    use super::*;

    /// Φ against the C math library's erf and erfc (the `libm` crate, an independent
    /// implementation), across both branches and far into the left tail.
    #[test]
    fn normal_cdf_matches_an_independent_erf() {
        let mut x = -37.0;
        while x <= 9.0 {
            let z = x / std::f64::consts::SQRT_2;
            let expected = if x < 0.0 {
                0.5 * libm::erfc(-z)
            } else {
                0.5 * (1.0 + libm::erf(z))
            };
            let got = normal_cdf(x);
            let error = (got - expected).abs() / expected.abs().max(f64::MIN_POSITIVE);
            assert!(
                error < 1e-12,
                "Φ({x}) = {got}, expected {expected} ({error:e})"
            );
            x += 0.0625;
        }
        assert_eq!(normal_cdf(0.0), 0.5);
        assert!(normal_cdf(f64::NAN).is_nan());
        assert_eq!(normal_cdf(f64::INFINITY), 1.0);
        assert_eq!(normal_cdf(f64::NEG_INFINITY), 0.0);
    }

    #[test]
    fn evaluates_with_args_and_output() {
        let sigmoid_prime = mul(out(), sub(num(1.0), out()));
        assert_eq!(sigmoid_prime.eval(&[], 0.5), 0.25);
        assert_eq!(
            div(arg(0), pow(arg(1), num(2.0))).eval(&[3.0, 2.0], 0.0),
            0.75
        );
        assert!(arg(5).eval(&[1.0], 0.0).is_nan());
    }

    #[test]
    fn indicator_and_sign_at_the_kink_are_zero() {
        assert_eq!(positive(arg(0)).eval(&[0.0], 0.0), 0.0);
        assert_eq!(positive(arg(0)).eval(&[1e-300], 0.0), 1.0);
        assert_eq!(call(Function::Sign, arg(0)).eval(&[0.0], 0.0), 0.0);
        assert!(positive(arg(0)).eval(&[f64::NAN], 0.0).is_nan());
    }

    #[test]
    fn knows_which_values_it_reads() {
        let quotient = neg(div(arg(0), pow(arg(1), num(2.0))));
        assert!(quotient.reads_arg(0) && quotient.reads_arg(1) && !quotient.reads_out());
        assert!(mul(out(), sub(num(1.0), out())).reads_out());
        assert!(!num(1.0).reads_arg(0));
    }

    #[test]
    fn integer_powers_are_exact() {
        assert_eq!(power(7.0, 2.0), 49.0);
        assert_eq!(power(2.0, -1.0), 0.5);
        assert!(power(-8.0, 1.0 / 3.0).is_nan());
    }
}
