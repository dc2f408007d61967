//! How a playground run stores and treats numbers: the precision of values and adjoints
//! (f64, f32, f16, bf16, on the CPU backend), loss scaling (none, a static scale or the
//! dynamic `GradScaler` scheme) and clipping by global norm. They are parts of the
//! program's `# train:` line (`# train: adam, learning rate 0.02, f16, loss scale dynamic,
//! clip norm 1`), so a shared link carries them; a part left out is the default (f64, no
//! scaling, no clipping).

use crate::number::format_number;
use crate::precision::Precision;
use crate::train::LossScaling;

/// The training line's numeric options.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Numerics {
    pub precision: Precision,
    pub loss_scale: Option<LossScaling>,
    /// The global norm gradients are clipped to.
    pub clip_norm: Option<f64>,
}

impl Numerics {
    /// Whether anything differs from plain f64 training without scaling or clipping.
    pub fn is_plain(&self) -> bool {
        *self == Numerics::default()
    }

    /// Whether the storage options (precision, loss scaling) are in use: they run on the
    /// CPU backend only.
    pub fn needs_cpu(&self) -> bool {
        self.precision != Precision::F64 || self.loss_scale.is_some()
    }

    /// The parts of the training line, in order, none for a default.
    pub fn parts(&self) -> Vec<String> {
        let mut parts = Vec::new();
        if self.precision != Precision::F64 {
            parts.push(self.precision.name().to_string());
        }
        match self.loss_scale {
            Some(LossScaling::Dynamic) => parts.push("loss scale dynamic".into()),
            Some(LossScaling::Static(scale)) => {
                parts.push(format!("loss scale {}", format_number(scale)));
            }
            None => {}
        }
        if let Some(cap) = self.clip_norm {
            parts.push(format!("clip norm {}", format_number(cap)));
        }
        parts
    }

    /// Take one part of a training line (lower case, trimmed) if it is a numeric
    /// option; whether it was. A value that does not parse (`clip norm -1`) is taken and
    /// ignored, leaving the default.
    pub fn read_part(&mut self, part: &str) -> bool {
        if let Ok(precision) = part.parse::<Precision>() {
            self.precision = precision;
            return true;
        }
        if let Some(rest) = value_after(part, "loss scale") {
            self.loss_scale = match rest {
                "none" | "off" => None,
                rest => rest.parse::<LossScaling>().ok(),
            };
            return true;
        }
        if let Some(rest) = value_after(part, "clip norm") {
            self.clip_norm = parse_cap(rest);
            return true;
        }
        false
    }
}

/// The text after `key` (and an optional `=`), when `part` starts with it.
fn value_after<'a>(part: &'a str, key: &str) -> Option<&'a str> {
    let rest = part.strip_prefix(key)?;
    (rest.is_empty() || rest.starts_with([' ', '=']))
        .then(|| rest.trim_start_matches([' ', '=']).trim())
}

/// A clip norm as typed: a finite number above 0; `off`, `none` or nothing: no clipping.
pub fn parse_cap(text: &str) -> Option<f64> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|cap| cap.is_finite() && *cap > 0.0)
}

/// A static loss scale as typed: a finite number above 0.
pub fn parse_scale(text: &str) -> Option<f64> {
    match text.trim().parse::<LossScaling>() {
        Ok(LossScaling::Static(scale)) => Some(scale),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(parts: &[&str]) -> Numerics {
        let mut numerics = Numerics::default();
        for part in parts {
            assert!(numerics.read_part(part), "{part}");
        }
        numerics
    }

    #[test]
    fn parts_read_back_as_written() {
        for precision in Precision::ALL {
            for loss_scale in [
                None,
                Some(LossScaling::Dynamic),
                Some(LossScaling::Static(1024.0)),
                Some(LossScaling::Static(0.5)),
            ] {
                for clip_norm in [None, Some(1.0), Some(0.25), Some(1e6)] {
                    let numerics = Numerics {
                        precision,
                        loss_scale,
                        clip_norm,
                    };
                    let parts = numerics.parts();
                    let texts: Vec<&str> = parts.iter().map(String::as_str).collect();
                    assert_eq!(read(&texts), numerics, "{parts:?}");
                }
            }
        }
        assert!(Numerics::default().parts().is_empty());
    }

    #[test]
    fn parts_as_people_type_them() {
        let numerics = read(&["bf16", "loss scale = 128", "clip norm=2.5"]);
        assert_eq!(numerics.precision, Precision::Bf16);
        assert_eq!(numerics.loss_scale, Some(LossScaling::Static(128.0)));
        assert_eq!(numerics.clip_norm, Some(2.5));
        assert!(numerics.needs_cpu());
        // Unusable values are taken and leave the default.
        let bad = read(&["clip norm -1", "loss scale lots", "clip norm"]);
        assert_eq!(bad, Numerics::default());
        assert!(read(&["loss scale none", "clip norm off"]).is_plain());
        let clip_only = read(&["clip norm 1"]);
        assert!(!clip_only.is_plain() && !clip_only.needs_cpu());
        // Other parts are not numeric options.
        let mut numerics = Numerics::default();
        for other in ["adam", "learning rate 0.1", "clip normal", "f8"] {
            assert!(!numerics.read_part(other), "{other}");
        }
        assert_eq!(parse_cap(" 0.5 "), Some(0.5));
        assert_eq!(parse_cap("0"), None);
        assert_eq!(parse_scale("1024"), Some(1024.0));
        assert_eq!(parse_scale("dynamic"), None);
    }
}
