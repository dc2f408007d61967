//! `backprop check`: the backward pass's gradients against central finite differences,
//! as a table or JSON, passing when the max relative error is below [`TOLERANCE`], and
//! every custom derivative `f'` against central differences of its function `f`.

use super::args::{CheckArgs, CheckFormat};
use super::error::CliError;
use super::inputs::input_values;
use super::source::{compile_source, load};
use crate::engine::{CustomCheck, check_custom_derivatives, gradient_check};
use crate::number::format_number;
use crate::render::json::{self, CheckReport, Number, Values};
use crate::render::trace::one_line;
use std::io::Read;

/// Largest max relative error a passing check may have.
pub const TOLERANCE: f64 = 1e-6;

/// The report to print and whether the check passed.
pub fn run(args: &CheckArgs, stdin: &mut dyn Read) -> Result<(String, bool), CliError> {
    let source = load(&args.program.program, stdin)?;
    let graph = compile_source(&source)?;
    let inputs = input_values(&graph, &args.program.at)?;
    let check = gradient_check(&graph, &inputs)?;
    let report = json::check(&graph, &source.text, &inputs, &check, TOLERANCE);
    let custom = check_custom_derivatives(&graph, &inputs);
    let wrong: Vec<&CustomCheck> = custom.iter().filter(|c| !passes(c)).collect();
    let passed = report.passed && wrong.is_empty();
    let text = match args.format {
        CheckFormat::Text => {
            let mut text = text(&report);
            for check in &custom {
                text.push_str(&custom_line(check));
            }
            if !wrong.is_empty() && report.passed {
                text.push_str("FAILED: a custom derivative is wrong\n");
            }
            text
        }
        CheckFormat::Json => {
            let json_error =
                |e: serde_json::Error| CliError::System(format!("cannot write JSON: {e}"));
            let mut value = serde_json::to_value(&report).map_err(json_error)?;
            if let serde_json::Value::Object(fields) = &mut value {
                if !custom.is_empty() {
                    fields.insert(
                        "custom_derivatives".into(),
                        serde_json::to_value(&custom).map_err(json_error)?,
                    );
                }
                fields.insert("passed".into(), passed.into());
            }
            serde_json::to_string_pretty(&value).map_err(json_error)? + "\n"
        }
    };
    Ok((text, passed))
}

fn passes(check: &CustomCheck) -> bool {
    check.max_relative_error < TOLERANCE
}

/// "custom derivative softplus': agrees (max relative error 3e-11)", or why it does not.
fn custom_line(check: &CustomCheck) -> String {
    let name = &check.function;
    let error = small(check.max_relative_error);
    if passes(check) {
        format!(
            "custom derivative {name}': agrees with central differences of {name} (max relative error {error})\n"
        )
    } else {
        format!(
            "custom derivative {name}': WRONG, it disagrees with central differences of {name} \
             (max relative error {error}); fix the rule `{name}'(…) = …`\n"
        )
    }
}

/// The report as an aligned table with a verdict line.
pub fn text(report: &CheckReport) -> String {
    let inputs: Vec<String> = report
        .inputs
        .0
        .iter()
        .map(|(name, x)| format!("{name} = {}", values(x)))
        .collect();
    let at = if inputs.is_empty() {
        String::new()
    } else {
        format!(" at {}", inputs.join(", "))
    };
    let output = format!(
        "{} = {}",
        report.output.name,
        report.output.value.as_ref().map_or("?".into(), values)
    );
    let mut lines = vec![
        format!(
            "Gradient check of {}{at} (output {output})",
            one_line(&report.program)
        ),
        String::new(),
    ];

    if report.gradients.is_empty() {
        lines.push("The program has no inputs, so there is nothing to check.".to_string());
    } else {
        let header = ["input", "analytic", "numeric", "relative error"].map(String::from);
        let rows = report.gradients.iter().map(|gradient| {
            let Number(error) = gradient.relative_error;
            let input = match gradient.element {
                Some(element) => format!("{}[{element}]", gradient.input),
                None => gradient.input.clone(),
            };
            [
                input,
                number(gradient.analytic),
                number(gradient.numeric),
                small(error),
            ]
        });
        lines.extend(aligned(std::iter::once(header).chain(rows).collect()));
    }
    lines.push(String::new());
    let Number(max) = report.max_relative_error;
    let tolerance = format!("{:e}", report.tolerance);
    lines.push(if report.passed {
        format!(
            "passed: the max relative error {} is below {tolerance}",
            small(max)
        )
    } else {
        format!(
            "FAILED: the max relative error {} is not below {tolerance}",
            small(max)
        )
    });
    lines.join("\n") + "\n"
}

/// Rows of cells padded to their column's width, two spaces apart.
fn aligned<const N: usize>(rows: Vec<[String; N]>) -> Vec<String> {
    let width = |column: usize| {
        rows.iter()
            .map(|row| row[column].chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..N).map(width).collect();
    rows.iter()
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(cell, &w)| format!("{cell:<w$}"))
                .collect();
            cells.join("  ").trim_end().to_string()
        })
        .collect()
}

fn number(x: Number) -> String {
    format_number(x.0)
}

/// A number, or a tensor's values in brackets.
fn values(x: &Values) -> String {
    crate::render::Notation::Plain.tensor(&x.0)
}

/// A relative error: two significant digits in scientific notation, `0` for zero.
fn small(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        format_number(x)
    } else {
        format!("{x:.1e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::ProgramArgs;

    fn check(program: &str, at: &str) -> (String, bool) {
        let args = CheckArgs {
            program: ProgramArgs {
                program: program.into(),
                at: vec![at.into()],
            },
            format: CheckFormat::Text,
        };
        run(&args, &mut "".as_bytes()).unwrap()
    }

    #[test]
    fn seed_example_passes() {
        let (text, passed) = check("(x1+x2)*x1", "x1=3,x2=4");
        assert!(passed);
        assert!(
            text.starts_with("Gradient check of (x1+x2)*x1 at x1 = 3, x2 = 4 (output v4 = 21)\n\n"),
            "{text}"
        );
        assert!(
            text.contains("\ninput  analytic  numeric  relative error\nx1     10        10       "),
            "{text}"
        );
        assert!(text.contains("passed: the max relative error "), "{text}");
        assert!(text.ends_with(" is below 1e-6\n"), "{text}");
    }

    #[test]
    fn nan_fails_and_says_so() {
        let (text, passed) = check("sqrt(x)", "x=-1");
        assert!(!passed);
        assert!(
            text.contains("FAILED: the max relative error NaN is not below 1e-6"),
            "{text}"
        );
    }

    #[test]
    fn a_program_without_inputs_has_nothing_to_check() {
        let (text, passed) = check("2 * 3", "");
        assert!(passed);
        assert!(
            text.contains("\n\nThe program has no inputs, so there is nothing to check.\n\n"),
            "{text}"
        );
    }

    #[test]
    fn columns_line_up_by_characters() {
        let rows = vec![
            ["ab".to_string(), "x".to_string()],
            ["é".to_string(), "yz".to_string()],
        ];
        assert_eq!(aligned(rows), ["ab  x", "é   yz"]);
    }

    #[test]
    fn relative_errors_are_short() {
        assert_eq!(small(0.0), "0");
        assert_eq!(small(2.6345e-11), "2.6e-11");
        assert_eq!(small(f64::NAN), "NaN");
    }
}
