//! What can go wrong on the command line, and how it is told: `error: …`, the source
//! line with carets under the span, and `hint: …`.

use crate::engine::EngineError;
use crate::engine::inputs::InputError;
use crate::lang::span::locate;
use crate::program::ProgramError;
use thiserror::Error;

/// Why a command could not run; the binary reports it and exits with status 2.
#[derive(Debug, Error)]
pub enum CliError {
    #[error("{error}")]
    Program {
        program: String,
        error: ProgramError,
        hint: Option<String>,
    },
    #[error("{error}")]
    Inputs { error: InputError, hint: String },
    #[error("there is no built-in example named `{slug}`")]
    UnknownExample { slug: String, hint: String },
    #[error("cannot read {what}: {reason}")]
    Read { what: String, reason: String },
    #[error("forward mode needs `--wrt`, the input to differentiate by")]
    MissingWrt { inputs: Vec<String> },
    #[error("`--wrt` is for forward mode")]
    WrtWithoutForward,
    #[error("`{name}` is not an input of the program, so forward mode cannot differentiate by it")]
    WrtNotAnInput { name: String, inputs: Vec<String> },
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Checkpoint(#[from] crate::engine::CheckpointError),
    #[error(transparent)]
    Train(#[from] crate::train::TrainError),
    #[error(transparent)]
    SecondOrder(#[from] crate::engine::second_order::SecondOrderError),
    #[error(transparent)]
    Scalar(#[from] crate::engine::scalar_program::ScalarProgramError),
    #[error(transparent)]
    FourWays(#[from] crate::engine::four_ways::FourWaysError),
    #[error("the backend failed: {0}")]
    Backend(#[from] crate::backend::BackendError),
    #[error("`--backend gpu` computes gradients by backpropagation, so it needs reverse mode")]
    GpuForwardMode,
    #[error("{what} must be {expected}, found {found}")]
    BadOption {
        what: &'static str,
        expected: &'static str,
        found: String,
    },
    /// A failure of the machine rather than of the arguments.
    #[error("{0}")]
    System(String),
}

impl CliError {
    pub fn hint(&self) -> Option<String> {
        match self {
            CliError::Program { error, hint, .. } => hint.clone().or_else(|| error.hint()),
            CliError::Inputs { hint, .. } | CliError::UnknownExample { hint, .. } => {
                Some(hint.clone())
            }
            CliError::MissingWrt { inputs } | CliError::WrtNotAnInput { inputs, .. } => {
                Some(match inputs.first() {
                    Some(first) => {
                        format!("add `--wrt {first}`; the inputs are {}", code_list(inputs))
                    }
                    None => "the program has no inputs".to_string(),
                })
            }
            CliError::WrtWithoutForward => {
                Some("add `--mode forward`, or drop `--wrt`".to_string())
            }
            CliError::GpuForwardMode => {
                Some("drop `--mode forward`, or trace on the CPU".to_string())
            }
            CliError::Checkpoint(_) => Some(
                "write `--checkpoint every:3`, `--checkpoint sqrt` or `--checkpoint h1,h2`"
                    .to_string(),
            ),
            CliError::Read { .. }
            | CliError::Engine(_)
            | CliError::Train(_)
            | CliError::SecondOrder(_)
            | CliError::Scalar(_)
            | CliError::FourWays(_)
            | CliError::Backend(_)
            | CliError::BadOption { .. }
            | CliError::System(_) => None,
        }
    }

    /// The full report for standard error, ending in a newline.
    pub fn report(&self) -> String {
        let mut report = format!("error: {self}\n");
        if let CliError::Program { program, error, .. } = self {
            report.push_str(&snippet(program, error.span().start, error.span().end));
        }
        if let Some(hint) = self.hint() {
            report.push_str(&format!("hint: {hint}\n"));
        }
        report
    }
}

/// `` `x1`, `x2` ``
pub fn code_list(names: &[String]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Longest stretch of a source line shown; longer lines are cut around the span.
const MAX_SHOWN_CHARS: usize = 100;

/// The line holding byte `start`, with carets under `start..end` (at least one, and no
/// further than the line's end), preceded by the line number:
///
/// ```text
///   1 | x1 x2
///     |    ^^
/// ```
pub fn snippet(source: &str, start: usize, end: usize) -> String {
    let info = locate(source, start);
    let line: Vec<char> = info.line_text.trim_end_matches('\r').chars().collect();
    let column = (info.column - 1).min(line.len());
    let line_end = info.line_start + info.line_text.len();
    let from = start.clamp(info.line_start, line_end);
    let spanned = source
        .get(from..end.clamp(from, line_end))
        .map_or(0, |text| text.chars().count());

    // A long line is cut to a window that starts a little before the span.
    let first = column
        .saturating_sub(MAX_SHOWN_CHARS / 3)
        .min(line.len().saturating_sub(MAX_SHOWN_CHARS));
    let last = (first + MAX_SHOWN_CHARS).min(line.len());
    let width = spanned.min(last - column).max(1);
    let (lead, lead_pad) = if first > 0 { ("…", " ") } else { ("", "") };
    let tail = if last < line.len() { "…" } else { "" };
    let shown: String = line[first..last].iter().collect();
    // Tabs stay tabs under the line, so the carets line up in any terminal.
    let pad: String = line[first..column]
        .iter()
        .map(|&c| if c == '\t' { '\t' } else { ' ' })
        .collect();

    let number = info.line.to_string();
    let gutter = " ".repeat(number.len());
    let carets = "^".repeat(width);
    format!("  {number} | {lead}{shown}{tail}\n  {gutter} | {lead_pad}{pad}{carets}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::compile;

    fn report(source: &str) -> String {
        let error = compile(source).unwrap_err();
        CliError::Program {
            program: source.to_string(),
            error,
            hint: None,
        }
        .report()
    }

    #[test]
    fn carets_sit_under_the_span() {
        assert_eq!(
            report("x1 x2"),
            "error: expected an operator before a name\n  1 | x1 x2\n    |    ^^\nhint: did you mean `x1 * x2`?\n"
        );
    }

    #[test]
    fn the_line_number_and_line_of_a_later_line() {
        let text = report("a = 1\nb = sigmod(a)");
        assert!(
            text.contains("  2 | b = sigmod(a)\n    |     ^^^^^^\n"),
            "{text}"
        );
        assert!(text.contains("hint: did you mean `sigmoid`?"), "{text}");
    }

    #[test]
    fn carets_count_chars_not_bytes_and_keep_tabs() {
        assert_eq!(snippet("é\tab", 3, 5), "  1 | é\tab\n    |  \t^^\n");
    }

    #[test]
    fn at_least_one_caret_even_at_the_end() {
        assert_eq!(snippet("x +", 3, 3), "  1 | x +\n    |    ^\n");
        assert_eq!(snippet("", 0, 0), "  1 | \n    | ^\n");
    }

    #[test]
    fn spans_over_several_lines_stop_at_the_line_end() {
        assert_eq!(snippet("(a\n+ b", 0, 6), "  1 | (a\n    | ^^\n");
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let source = format!("{}x y{}", "a".repeat(500), "b".repeat(500));
        let text = snippet(&source, 502, 503);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].chars().count() < MAX_SHOWN_CHARS + 20, "{text}");
        assert!(
            lines[0].starts_with("  1 | …") && lines[0].ends_with('…'),
            "{text}"
        );
        let caret = lines[1].chars().position(|c| c == '^').unwrap();
        assert_eq!(lines[0].chars().nth(caret), Some('y'), "{text}");
    }

    #[test]
    fn other_errors_have_no_snippet() {
        let error = CliError::WrtWithoutForward;
        assert_eq!(
            error.report(),
            "error: `--wrt` is for forward mode\nhint: add `--mode forward`, or drop `--wrt`\n"
        );
    }
}
