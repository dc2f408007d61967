//! How the form's weights start: `randn` times a scale chosen for the activation (what
//! the form always wrote), or the language's Glorot and He initialisers. Written into the
//! program (`W1 = param(he([2, 16], 1))`), read back from it: the constructor of the
//! program's weights, when they all use the same one.

use crate::number::format_number;
use crate::tensor::init::Init;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WeightInit {
    /// `randn([in, out], seed) * s` with `s` from the activation and the fan-in.
    #[default]
    Scaled,
    Glorot,
    He,
}

impl WeightInit {
    pub const ALL: [WeightInit; 3] = [WeightInit::Scaled, WeightInit::Glorot, WeightInit::He];

    /// The form's value for it: the constructor's name.
    pub fn name(self) -> &'static str {
        match self {
            WeightInit::Scaled => "randn",
            WeightInit::Glorot => Init::Glorot.name(),
            WeightInit::He => Init::He.name(),
        }
    }

    pub fn by_name(name: &str) -> Option<WeightInit> {
        WeightInit::ALL
            .into_iter()
            .find(|i| i.name() == name.trim())
    }

    /// The form's label for it.
    pub fn label(self) -> &'static str {
        match self {
            WeightInit::Scaled => "randn × scale",
            WeightInit::Glorot => "Glorot",
            WeightInit::He => "He",
        }
    }

    /// The expression of a `[fan_in, fan_out]` weight drawn with `seed`; `scale` is
    /// what [`WeightInit::Scaled`] multiplies by.
    pub fn expression(self, fan_in: usize, fan_out: usize, seed: usize, scale: f64) -> String {
        match self {
            WeightInit::Scaled => format!(
                "randn([{fan_in}, {fan_out}], {seed}) * {}",
                format_number(scale)
            ),
            init => format!("{}([{fan_in}, {fan_out}], {seed})", init.name()),
        }
    }

    /// The initialiser of a program's weights: the constructor inside `param(…)` on
    /// every line that makes a parameter from `randn`, `glorot` or `he`, when all agree
    /// on Glorot or on He; otherwise (mixed, or `randn`) [`WeightInit::Scaled`].
    pub fn read(source: &str) -> WeightInit {
        let mut seen = None;
        for line in source.lines() {
            let Some((_, right)) = line.split_once('=') else {
                continue;
            };
            let Some(inside) = right.trim().strip_prefix("param(") else {
                continue;
            };
            let name = inside.split('(').next().unwrap_or("").trim();
            let found = match name {
                "randn" => WeightInit::Scaled,
                "glorot" => WeightInit::Glorot,
                "he" => WeightInit::He,
                _ => continue,
            };
            match seen {
                None => seen = Some(found),
                Some(earlier) if earlier != found => return WeightInit::Scaled,
                Some(_) => {}
            }
        }
        seen.unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_and_read_back() {
        assert_eq!(WeightInit::He.expression(2, 16, 1, 0.7), "he([2, 16], 1)");
        assert_eq!(
            WeightInit::Glorot.expression(16, 2, 3, 0.7),
            "glorot([16, 2], 3)"
        );
        assert_eq!(
            WeightInit::Scaled.expression(16, 16, 2, 0.35),
            "randn([16, 16], 2) * 0.35"
        );
        for init in WeightInit::ALL {
            assert_eq!(WeightInit::by_name(init.name()), Some(init));
            let program = format!(
                "W1 = param({})\nb1 = param(zeros([4]))\nW2 = param({})",
                init.expression(2, 4, 1, 0.5),
                init.expression(4, 2, 2, 0.5)
            );
            assert_eq!(WeightInit::read(&program), init, "{program}");
        }
        let mixed = "W1 = param(he([2, 4], 1))\nW2 = param(glorot([4, 2], 2))";
        assert_eq!(WeightInit::read(mixed), WeightInit::Scaled);
        assert_eq!(WeightInit::read("x = param(3)"), WeightInit::Scaled);
        assert_eq!(WeightInit::by_name("xavier"), None);
    }
}
