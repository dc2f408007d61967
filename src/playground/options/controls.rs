//! The options' controls in the playground's form, as markup read back by name like the
//! rest of the form ([`crate::playground::panel`]): the initialiser among the model
//! fields (it rewrites the program's weights), and a "Numbers" fieldset: the precision
//! values and adjoints are stored in, loss scaling (none, static with its scale, dynamic)
//! and the clip norm (empty: off); these change only the `# train:` line.

use super::init::WeightInit;
use super::numerics::{Numerics, parse_cap, parse_scale};
use crate::number::format_number;
use crate::playground::form::{Form, Training};
use crate::precision::Precision;
use crate::render::svg::draw::escape;
use crate::train::LossScaling;
use std::fmt::Write;

/// The static scale a switch to "static" starts from.
pub const DEFAULT_STATIC_SCALE: f64 = 1024.0;

/// What an options control asks for (its typed value).
#[derive(Clone, Debug, PartialEq)]
pub enum OptionAction {
    Init(String),
    Precision(String),
    /// `none`, `static` or `dynamic`.
    LossScaling(String),
    /// The static scale's field.
    LossScale(String),
    /// The clip norm's field (empty: off).
    ClipNorm(String),
}

impl OptionAction {
    /// The action of the options control called `name` now holding `value`.
    pub fn of(name: &str, value: &str) -> Option<OptionAction> {
        let value = value.to_string();
        Some(match name {
            "init" => OptionAction::Init(value),
            "precision" => OptionAction::Precision(value),
            "loss_scaling" => OptionAction::LossScaling(value),
            "loss_scale" => OptionAction::LossScale(value),
            "clip_norm" => OptionAction::ClipNorm(value),
            _ => return None,
        })
    }

    /// Whether it changes the model (the program is written again from the form).
    pub fn is_model(&self) -> bool {
        matches!(self, OptionAction::Init(_))
    }

    /// Apply it to the form (`model`, when the program has one) or the training
    /// settings; `None` when the typed value is not valid.
    pub fn apply(&self, model: Option<&mut Form>, training: &mut Training) -> Option<()> {
        let numerics = &mut training.numerics;
        match self {
            OptionAction::Init(name) => {
                let init = WeightInit::by_name(name)?;
                if let Some(form) = model {
                    form.init = init;
                }
            }
            OptionAction::Precision(name) => numerics.precision = name.parse().ok()?,
            OptionAction::LossScaling(kind) => {
                numerics.loss_scale = match (kind.as_str(), numerics.loss_scale) {
                    ("none", _) => None,
                    ("dynamic", _) => Some(LossScaling::Dynamic),
                    ("static", Some(LossScaling::Static(scale))) => {
                        Some(LossScaling::Static(scale))
                    }
                    ("static", _) => Some(LossScaling::Static(DEFAULT_STATIC_SCALE)),
                    _ => return None,
                }
            }
            OptionAction::LossScale(text) => {
                numerics.loss_scale = Some(LossScaling::Static(parse_scale(text)?));
            }
            OptionAction::ClipNorm(text) => {
                let text = text.trim();
                numerics.clip_norm = if text.is_empty() || text == "off" {
                    None
                } else {
                    Some(parse_cap(text)?)
                };
            }
        }
        Some(())
    }
}

/// The initialiser's select, for the model fieldset.
pub fn init_markup(out: &mut String, init: WeightInit) {
    out.push_str("<label>Initialisation<select name=\"init\" aria-label=\"Initialisation\">");
    for option in WeightInit::ALL {
        let selected = if option == init { " selected" } else { "" };
        let _ = write!(
            out,
            "<option value=\"{}\"{selected}>{}</option>",
            option.name(),
            option.label()
        );
    }
    out.push_str("</select></label>");
}

/// The "Numbers" fieldset; `invalid` names a field whose typed text was not valid.
pub fn numerics_markup(out: &mut String, numerics: &Numerics, invalid: Option<&str>) {
    out.push_str("<fieldset class=\"numerics\"><legend>Numbers</legend>");
    out.push_str("<label>Precision<select name=\"precision\" aria-label=\"Precision\">");
    for precision in Precision::ALL {
        let selected = if precision == numerics.precision {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<option value=\"{0}\"{selected}>{0}</option>",
            precision.name()
        );
    }
    out.push_str("</select></label>");
    let kind = match numerics.loss_scale {
        None => "none",
        Some(LossScaling::Static(_)) => "static",
        Some(LossScaling::Dynamic) => "dynamic",
    };
    out.push_str("<label>Loss scaling<select name=\"loss_scaling\" aria-label=\"Loss scaling\">");
    for option in ["none", "static", "dynamic"] {
        let selected = if option == kind { " selected" } else { "" };
        let _ = write!(
            out,
            "<option value=\"{option}\"{selected}>{option}</option>"
        );
    }
    out.push_str("</select></label>");
    if let Some(LossScaling::Static(scale)) = numerics.loss_scale {
        let _ = write!(
            out,
            "<label>Loss scale<input type=\"number\" name=\"loss_scale\" aria-label=\"Loss scale\" min=\"0\" step=\"any\" value=\"{}\" aria-invalid=\"{}\"></label>",
            escape(&format_number(scale)),
            invalid == Some("loss_scale")
        );
    }
    let cap = numerics.clip_norm.map(format_number).unwrap_or_default();
    let _ = write!(
        out,
        "<label>Clip norm<input type=\"number\" name=\"clip_norm\" aria-label=\"Clip gradients to global norm (empty: off)\" min=\"0\" step=\"any\" placeholder=\"off\" value=\"{}\" aria-invalid=\"{}\"></label>",
        escape(&cap),
        invalid == Some("clip_norm")
    );
    out.push_str("</fieldset>");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(action: OptionAction, training: &mut Training) -> Option<()> {
        action.apply(None, training)
    }

    #[test]
    fn controls_change_the_numbers() {
        let mut training = Training::default();
        let of = |name, value| OptionAction::of(name, value).unwrap();
        applied(of("precision", "bf16"), &mut training).unwrap();
        assert_eq!(training.numerics.precision, Precision::Bf16);
        applied(of("loss_scaling", "static"), &mut training).unwrap();
        assert_eq!(
            training.numerics.loss_scale,
            Some(LossScaling::Static(DEFAULT_STATIC_SCALE))
        );
        applied(of("loss_scale", "64"), &mut training).unwrap();
        applied(of("loss_scaling", "static"), &mut training).unwrap();
        assert_eq!(
            training.numerics.loss_scale,
            Some(LossScaling::Static(64.0))
        );
        applied(of("loss_scaling", "dynamic"), &mut training).unwrap();
        assert_eq!(training.numerics.loss_scale, Some(LossScaling::Dynamic));
        applied(of("clip_norm", "2"), &mut training).unwrap();
        assert_eq!(training.numerics.clip_norm, Some(2.0));
        applied(of("clip_norm", " "), &mut training).unwrap();
        assert_eq!(training.numerics.clip_norm, None);
        // Bad values change nothing and say so.
        let before = training;
        for (name, value) in [
            ("precision", "f8"),
            ("loss_scaling", "lots"),
            ("loss_scale", "-1"),
            ("clip_norm", "0"),
            ("init", "xavier"),
        ] {
            assert_eq!(applied(of(name, value), &mut training), None, "{name}");
        }
        assert_eq!(training, before);
        assert_eq!(OptionAction::of("dataset", "moons"), None);
        assert!(of("init", "he").is_model() && !of("precision", "f16").is_model());
        let mut form = Form::default();
        of("init", "glorot")
            .apply(Some(&mut form), &mut training)
            .unwrap();
        assert_eq!(form.init, WeightInit::Glorot);
    }

    #[test]
    fn the_fieldset_shows_the_options() {
        let mut out = String::new();
        numerics_markup(
            &mut out,
            &Numerics {
                precision: Precision::F16,
                loss_scale: Some(LossScaling::Static(128.0)),
                clip_norm: Some(0.5),
            },
            Some("clip_norm"),
        );
        assert!(out.contains("<option value=\"f16\" selected>"), "{out}");
        assert!(out.contains("<option value=\"static\" selected>"), "{out}");
        assert!(
            out.contains(
                "name=\"loss_scale\" aria-label=\"Loss scale\" min=\"0\" step=\"any\" value=\"128\""
            ),
            "{out}"
        );
        assert!(out.contains("value=\"0.5\" aria-invalid=\"true\""), "{out}");
        let mut plain = String::new();
        numerics_markup(&mut plain, &Numerics::default(), None);
        assert!(
            !plain.contains("name=\"loss_scale\""),
            "no scale field without static scaling"
        );
        assert!(plain.contains("placeholder=\"off\" value=\"\""), "{plain}");
        let mut init = String::new();
        init_markup(&mut init, WeightInit::He);
        assert!(
            init.contains("<option value=\"he\" selected>He</option>"),
            "{init}"
        );
    }
}
