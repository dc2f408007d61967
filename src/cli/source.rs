//! Where a program comes from: its text on the command line, `example:SLUG`, `@FILE`, or
//! `-` for standard input; and compiling it with errors that point into that text.

use super::error::CliError;
use crate::examples;
use crate::graph::Graph;
use crate::program::compile;
use std::io::Read;
use std::path::Path;

/// Programs read from files or standard input may be at most this long; the parser's
/// own, smaller limit then gives the precise message.
const MAX_READ_BYTES: u64 = 1 << 20;

/// A program's text and how it was named on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub text: String,
    /// True when the argument was the program text itself.
    pub inline: bool,
}

/// Resolve a PROGRAM argument to the program's text.
pub fn load(argument: &str, stdin: &mut dyn Read) -> Result<Source, CliError> {
    let text = if argument == "-" {
        read(stdin, "standard input")?
    } else if let Some(slug) = argument.strip_prefix("example:") {
        example(slug)?
    } else if let Some(path) = argument.strip_prefix('@') {
        if path.is_empty() {
            let reason = "`@` must be followed by a file name, as in `@model.bp`".to_string();
            return Err(CliError::Read {
                what: "the program".to_string(),
                reason,
            });
        }
        let what = format!("`{path}`");
        let mut file = std::fs::File::open(path).map_err(|e| CliError::Read {
            what: what.clone(),
            reason: e.to_string(),
        })?;
        read(&mut file, &what)?
    } else {
        return Ok(Source {
            text: argument.to_string(),
            inline: true,
        });
    };
    Ok(Source {
        text,
        inline: false,
    })
}

/// Compile a loaded program; a file name given without `@` gets a hint to add one.
pub fn compile_source(source: &Source) -> Result<Graph, CliError> {
    compile(&source.text).map_err(|error| {
        let text = source.text.trim();
        let names_a_file = source.inline && !text.is_empty() && Path::new(text).is_file();
        let hint = names_a_file.then(|| format!("to read the file `{text}`, write `@{text}`"));
        CliError::Program {
            program: source.text.clone(),
            error,
            hint,
        }
    })
}

fn read(reader: &mut dyn Read, what: &str) -> Result<String, CliError> {
    let failure = |reason: String| CliError::Read {
        what: what.to_string(),
        reason,
    };
    let mut bytes = Vec::new();
    reader
        .take(MAX_READ_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| failure(e.to_string()))?;
    if bytes.len() as u64 > MAX_READ_BYTES {
        return Err(failure(format!("it is longer than {MAX_READ_BYTES} bytes")));
    }
    String::from_utf8(bytes).map_err(|_| failure("it is not UTF-8 text".to_string()))
}

fn example(slug: &str) -> Result<String, CliError> {
    if let Some(example) = examples::find(slug) {
        return Ok(example.source.to_string());
    }
    let slugs: Vec<&str> = examples::catalog()
        .iter()
        .map(|example| example.slug)
        .collect();
    let closest = slugs
        .iter()
        .map(|&known| (strsim::levenshtein(slug, known), known))
        .min()
        .filter(|&(distance, known)| distance <= known.len() / 3);
    let hint = match closest {
        Some((_, known)) => {
            format!("did you mean `example:{known}`? `backprop examples` lists them all")
        }
        None => format!("the examples are {}", slugs.join(", ")),
    };
    Err(CliError::UnknownExample {
        slug: slug.to_string(),
        hint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(argument: &str, stdin: &str) -> Result<Source, CliError> {
        load(argument, &mut stdin.as_bytes())
    }

    #[test]
    fn text_stdin_and_examples() {
        assert_eq!(
            load_text("x*y", "").unwrap(),
            Source {
                text: "x*y".into(),
                inline: true
            }
        );
        assert_eq!(
            load_text("-", "a + b\n").unwrap(),
            Source {
                text: "a + b\n".into(),
                inline: false
            }
        );
        assert!(
            load_text("example:two-paths", "")
                .unwrap()
                .text
                .contains("(x1 + x2) * x1")
        );
    }

    #[test]
    fn unknown_examples_get_a_suggestion() {
        let error = load_text("example:two-path", "").unwrap_err();
        assert_eq!(
            error.to_string(),
            "there is no built-in example named `two-path`"
        );
        assert_eq!(
            error.hint().unwrap(),
            "did you mean `example:two-paths`? `backprop examples` lists them all"
        );
        let error = load_text("example:zzz", "").unwrap_err();
        assert!(
            error
                .hint()
                .unwrap()
                .starts_with("the examples are two-paths, linear-square")
        );
    }

    #[test]
    fn files_that_cannot_be_read() {
        let error = load_text("@", "").unwrap_err();
        assert_eq!(
            error.to_string(),
            "cannot read the program: `@` must be followed by a file name, as in `@model.bp`"
        );
        let error = load_text("@/no/such/file.bp", "").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("cannot read `/no/such/file.bp`: "),
            "{error}"
        );
        let error = load("-", &mut [0xff, 0xfe].as_slice()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "cannot read standard input: it is not UTF-8 text"
        );
        let huge = vec![b' '; MAX_READ_BYTES as usize + 1];
        assert!(
            load("-", &mut huge.as_slice())
                .unwrap_err()
                .to_string()
                .contains("longer than")
        );
    }

    #[test]
    fn a_bare_file_name_is_a_program_with_a_hint() {
        let path =
            std::env::temp_dir().join(format!("backprop-source-test-{}.bp", std::process::id()));
        std::fs::write(&path, "x * 2").unwrap();
        let name = path.to_string_lossy().to_string();
        let error = compile_source(&load_text(&name, "").unwrap()).unwrap_err();
        assert_eq!(
            error.hint(),
            Some(format!("to read the file `{name}`, write `@{name}`"))
        );
        assert_eq!(
            compile_source(&load_text(&format!("@{name}"), "").unwrap())
                .unwrap()
                .len(),
            3
        );
        std::fs::remove_file(path).unwrap();
    }
}
