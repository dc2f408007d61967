//! `backprop check`: the backward pass's gradients against central finite differences,
//! as a table or JSON, passing when the max relative error is below [`TOLERANCE`].

use super::args::{CheckArgs, CheckFormat};
use super::error::CliError;
use super::inputs::input_values;
use super::source::{compile_source, load};
use crate::engine::gradient_check;
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
    let text = match args.format {
        CheckFormat::Text => text(&report),
        CheckFormat::Json => {
            serde_json::to_string_pretty(&report)
                .map_err(|e| CliError::System(format!("cannot write JSON: {e}")))?
                + "\n"
        }
    };
    Ok((text, report.passed))
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
