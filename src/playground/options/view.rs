//! What the playground shows of its training options, as markup (like the controls:
//! strings cost the module almost nothing, and are tested natively): the options' state
//! under the training numbers, with `data-*` attributes for tests, and the two charts'
//! figures with their accessible labels.

use super::charts::{layer_chart, norm_chart};
use super::layers::Profile;
use super::numerics::Numerics;
use crate::number::format_number;
use crate::precision::Precision;
use crate::render::svg::draw::escape;
use crate::train::GradientNorm;
use std::fmt::Write;

/// The charts' size in SVG units.
pub const CHART: (u32, u32) = (340, 190);

/// What the view shows of the options, besides the norms.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Status {
    pub numerics: Numerics,
    /// Whether the run stores numbers as chosen (false on the GPU for a precision or a
    /// loss scale).
    pub stores: bool,
    pub scaler: Option<String>,
    pub scale: Option<f64>,
    pub skipped: u64,
    pub underflows: Option<u64>,
    pub norm: Option<String>,
    pub profiles: Vec<Profile>,
    /// The layers' names, input side first.
    pub names: Vec<String>,
}

/// The options' state as `<dl class="option-stats">` (nothing with the defaults).
pub fn stats_markup(s: &Status) -> String {
    let mut items: Vec<(&str, String)> = Vec::new();
    let n = &s.numerics;
    if !s.stores {
        items.push((
            "Precision",
            format!(
                "the GPU trains in f32: {} and loss scaling apply on the CPU backend",
                n.precision
            ),
        ));
    } else if n.precision != Precision::F64 {
        items.push((
            "Precision",
            format!("{} (values and adjoints)", n.precision),
        ));
    }
    if let Some(scaler) = &s.scaler {
        items.push(("Loss scale", scaler.clone()));
    }
    if let Some(lost) = s
        .underflows
        .filter(|_| s.stores && n.precision != Precision::F64)
    {
        let text = match lost {
            0 => "no gradient underflowed to 0 in the last step".to_string(),
            1 => "1 gradient number underflowed to 0 in the last step".to_string(),
            k => format!("{k} gradient numbers underflowed to 0 in the last step"),
        };
        items.push(("Underflow", text));
    }
    if let Some(norm) = &s.norm {
        items.push(("Clipping", norm.clone()));
    }
    if items.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<dl class=\"option-stats\" data-skipped=\"{}\" data-stores=\"{}\"",
        s.skipped, s.stores
    );
    if let Some(lost) = s.underflows {
        let _ = write!(out, " data-underflows=\"{lost}\"");
    }
    if let Some(scale) = s.scale {
        let _ = write!(out, " data-scale=\"{scale}\"");
    }
    out.push('>');
    for (term, value) in items {
        let _ = write!(out, "<div><dt>{term}</dt><dd>{}</dd></div>", escape(&value));
    }
    out.push_str("</dl>");
    out
}

/// The gradient-norm chart's figure, while clipping (`cap`); nothing otherwise.
pub fn norm_figure(norms: &[(u64, GradientNorm)], cap: Option<f64>, text: Option<&str>) -> String {
    let Some(cap) = cap else {
        return String::new();
    };
    let label = match text {
        Some(text) => format!("Global gradient norm per step, before and after clipping: {text}"),
        None => "Global gradient norm per step".into(),
    };
    let max_after = norms
        .iter()
        .map(|(_, g)| g.after)
        .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
    let max_after = max_after.map_or(String::new(), |m| format!(" data-max-after=\"{m}\""));
    format!(
        "<figure class=\"chart\"><svg class=\"norm-chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\" data-cap=\"{cap}\"{max_after}>{}</svg><figcaption>Gradient norm ‖g‖ before and after clipping</figcaption></figure>",
        escape(&label),
        norm_chart(norms, Some(cap), CHART.0, CHART.1),
        w = CHART.0,
        h = CHART.1,
    )
}

/// The per-layer chart's figure, once a profile was measured; nothing before.
pub fn layer_figure(profiles: &[Profile], names: &[String]) -> String {
    let Some(latest) = profiles.last() else {
        return String::new();
    };
    let parts: Vec<String> = names
        .iter()
        .zip(&latest.layers)
        .map(|(name, l)| {
            format!(
                "{name}: activations {}, gradient {}",
                format_number(l.activation),
                format_number(l.gradient)
            )
        })
        .collect();
    let label = format!(
        "Layer sizes (RMS) at step {}: {}",
        latest.step,
        parts.join("; ")
    );
    let sizes: Vec<String> = latest
        .layers
        .iter()
        .map(|l| format!("{:e}/{:e}", l.activation, l.gradient))
        .collect();
    format!(
        "<figure class=\"chart\"><svg class=\"layer-chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\" data-sizes=\"{}\">{}</svg><figcaption>Per layer: RMS of the activations and of ∂L/∂W (faint: the first step measured)</figcaption></figure>",
        escape(&label),
        sizes.join(" "),
        layer_chart(profiles, names, CHART.0, CHART.1),
        w = CHART.0,
        h = CHART.1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playground::options::layers::LayerSize;
    use crate::train::LossScaling;

    #[test]
    fn the_state_in_words_and_attributes() {
        assert_eq!(
            stats_markup(&Status {
                stores: true,
                ..Status::default()
            }),
            ""
        );
        let f16 = Status {
            numerics: Numerics {
                precision: Precision::F16,
                loss_scale: Some(LossScaling::Dynamic),
                clip_norm: None,
            },
            stores: true,
            scaler: Some("scale 32768 · 1 step skipped (∞/NaN at step 2)".into()),
            scale: Some(32768.0),
            skipped: 1,
            underflows: Some(3),
            ..Status::default()
        };
        let markup = stats_markup(&f16);
        assert!(markup.starts_with("<dl class=\"option-stats\" data-skipped=\"1\" data-stores=\"true\" data-underflows=\"3\" data-scale=\"32768\">"), "{markup}");
        assert!(markup.contains("<dd>3 gradient numbers underflowed to 0 in the last step</dd>"));
        assert!(markup.contains("<dd>f16 (values and adjoints)</dd>"));
        let gpu = stats_markup(&Status {
            stores: false,
            ..f16.clone()
        });
        assert!(
            gpu.contains("the GPU trains in f32: f16 and loss scaling apply on the CPU backend")
        );
        assert!(!gpu.contains("Underflow"));
    }

    #[test]
    fn figures_with_their_labels() {
        assert_eq!(norm_figure(&[], None, None), "");
        let norms = [
            (
                1,
                GradientNorm {
                    before: 3.0,
                    after: 1.0,
                },
            ),
            (
                2,
                GradientNorm {
                    before: 0.5,
                    after: 0.5,
                },
            ),
        ];
        let figure = norm_figure(&norms, Some(1.0), Some("‖g‖ 0.5 (not clipped)"));
        assert!(
            figure.contains("data-cap=\"1\" data-max-after=\"1\""),
            "{figure}"
        );
        assert!(figure.contains("aria-label=\"Global gradient norm per step, before and after clipping: ‖g‖ 0.5 (not clipped)\""));
        assert_eq!(layer_figure(&[], &[]), "");
        let profile = Profile {
            step: 4,
            layers: vec![LayerSize {
                activation: 0.5,
                gradient: 0.25,
            }],
        };
        let figure = layer_figure(&[profile], &["<h>".to_string()]);
        assert!(figure.contains("aria-label=\"Layer sizes (RMS) at step 4: &lt;h&gt;: activations 0.5, gradient 0.25\""), "{figure}");
        assert!(figure.contains("data-sizes=\"5e-1/2.5e-1\""), "{figure}");
    }
}
