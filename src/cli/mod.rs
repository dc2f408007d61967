//! The `backprop` command line: argument grammar, commands and error reports. The binary
//! parses the arguments, calls [`run`], prints, and exits with the status it is given.

pub mod args;
pub mod backend;
pub mod check;
pub mod error;
pub mod four_ways;
pub mod inputs;
pub mod memory;
pub mod second;
pub mod source;
pub mod trace;
pub mod train;

pub use args::Cli;
pub use error::CliError;

use crate::examples;
use args::Command;
use std::io::Read;

/// Exit status for a user error: a bad program, bad arguments, an unreadable file.
pub const EXIT_ERROR: u8 = 2;
/// Exit status for a gradient check that did not pass.
pub const EXIT_CHECK_FAILED: u8 = 1;
/// Exit status for a trace with `--detect-anomaly` that met NaN or ±∞.
pub const EXIT_ANOMALY: u8 = 1;

/// What a successful command prints on standard output, and the status to exit with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    pub stdout: String,
    pub status: u8,
}

/// Run a parsed command line; `stdin` is read when the program is `-`.
pub fn run(cli: &Cli, stdin: &mut dyn Read) -> Result<Output, CliError> {
    match &cli.command {
        Command::Trace(args) => {
            let traced = trace::run(args, stdin)?;
            Ok(Output {
                stdout: traced.text,
                status: if traced.anomaly.is_some() {
                    EXIT_ANOMALY
                } else {
                    0
                },
            })
        }
        Command::Check(args) => {
            let (stdout, passed) = check::run(args, stdin)?;
            Ok(Output {
                stdout,
                status: if passed { 0 } else { EXIT_CHECK_FAILED },
            })
        }
        Command::FourWays(args) => Ok(Output {
            stdout: four_ways::run(args, stdin)?,
            status: 0,
        }),
        Command::Train(args) => Ok(Output {
            stdout: train::run(args, stdin)?,
            status: 0,
        }),
        Command::Memory(args) => Ok(Output {
            stdout: memory::run(args, stdin)?,
            status: 0,
        }),
        Command::Examples => Ok(Output {
            stdout: example_list(),
            status: 0,
        }),
    }
}

/// One line per built-in example: its slug, then its title.
fn example_list() -> String {
    let all = examples::catalog();
    let width = all
        .iter()
        .map(|example| example.slug.len())
        .max()
        .unwrap_or(0);
    all.iter()
        .map(|example| format!("{:width$}  {}\n", example.slug, example.title))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn run_line(line: &[&str]) -> Result<Output, CliError> {
        run(&Cli::try_parse_from(line).unwrap(), &mut "".as_bytes())
    }

    #[test]
    fn examples_are_listed_with_titles() {
        let output = run_line(&["backprop", "examples"]).unwrap();
        assert_eq!(output.status, 0);
        assert_eq!(output.stdout.lines().count(), examples::catalog().len());
        let first = output.stdout.lines().next().unwrap_or_default();
        let (slug, title) = first.split_once(' ').unwrap_or_default();
        assert_eq!(
            (slug, title.trim_start()),
            ("two-paths", "Two paths to x1: (x1 + x2) · x1"),
            "{}",
            output.stdout
        );
    }

    #[test]
    fn a_failed_check_exits_with_one() {
        let output = run_line(&["backprop", "check", "sqrt(x)", "--at", "x=-1"]).unwrap();
        assert_eq!(output.status, EXIT_CHECK_FAILED);
        let output = run_line(&["backprop", "check", "example:two-paths"]).unwrap();
        assert_eq!(output.status, 0);
    }
}
