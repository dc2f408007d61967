//! The worked examples shipped in `www/examples/*.bp`, compiled in. Each file is a valid
//! program whose leading `#` lines give a title (the first) and an intro (the rest).

/// A worked example: a program with a title and a one-paragraph intro.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Example {
    /// The file name without its number and extension, e.g. `two-paths`.
    pub slug: &'static str,
    pub title: String,
    pub intro: String,
    /// The whole file, which is itself the program.
    pub source: &'static str,
    /// The program without its title and intro comments, as the editor shows it.
    pub program: &'static str,
}

const FILES: [(&str, &str); 10] = [
    ("two-paths", include_str!("../www/examples/01-two-paths.bp")),
    (
        "linear-square",
        include_str!("../www/examples/02-linear-square.bp"),
    ),
    (
        "squared-error",
        include_str!("../www/examples/03-squared-error.bp"),
    ),
    (
        "sigmoid-neuron",
        include_str!("../www/examples/04-sigmoid-neuron.bp"),
    ),
    (
        "lin-relu-lin",
        include_str!("../www/examples/05-lin-relu-lin.bp"),
    ),
    (
        "tiny-relu-network",
        include_str!("../www/examples/06-tiny-relu-network.bp"),
    ),
    ("moons-mlp", include_str!("../www/examples/07-moons-mlp.bp")),
    (
        "nan-spreads",
        include_str!("../www/examples/08-nan-spreads.bp"),
    ),
    (
        "vanishing-sigmoid",
        include_str!("../www/examples/09-vanishing-sigmoid.bp"),
    ),
    (
        "exploding-product",
        include_str!("../www/examples/10-exploding-product.bp"),
    ),
];

/// The examples of the tape's memory and its remedies (checkpointing, precision), for the
/// CLI's `memory` command and its `--checkpoint`, `--precision` and `--loss-scale` options.
/// The app's gallery lists [`FILES`] only: its first load has no room for these until the
/// app has a memory view loaded on demand.
const MEMORY_FILES: [(&str, &str); 2] = [
    (
        "deep-chain",
        include_str!("../www/examples/11-deep-chain.bp"),
    ),
    (
        "f16-underflow",
        include_str!("../www/examples/12-f16-underflow.bp"),
    ),
];

/// The gallery's examples, in gallery order (the CLI has [`catalog`]).
pub fn all() -> Vec<Example> {
    FILES
        .iter()
        .map(|&(slug, source)| parse_header(slug, source))
        .collect()
}

/// Every example, the gallery's and the memory ones, for the CLI.
pub fn catalog() -> Vec<Example> {
    FILES
        .iter()
        .chain(&MEMORY_FILES)
        .map(|&(slug, source)| parse_header(slug, source))
        .collect()
}

pub fn find(slug: &str) -> Option<Example> {
    catalog().into_iter().find(|example| example.slug == slug)
}

/// Split the leading comment lines into title and intro.
fn parse_header(slug: &'static str, source: &'static str) -> Example {
    let mut comments = source
        .lines()
        .map_while(|line| line.strip_prefix('#'))
        .map(str::trim);
    let title = comments.next().unwrap_or(slug).to_string();
    let intro = comments.collect::<Vec<_>>().join(" ");
    let header_end = source
        .lines()
        .take_while(|line| line.starts_with('#') || line.trim().is_empty())
        .map(|line| line.len() + 1)
        .sum::<usize>();
    let program = source.get(header_end.min(source.len())..).unwrap_or(source);
    Example {
        slug,
        title,
        intro,
        source,
        program,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_has_a_title_an_intro_and_compiles() {
        assert_eq!(all().len(), FILES.len());
        let examples = catalog();
        assert_eq!(examples.len(), FILES.len() + MEMORY_FILES.len());
        for example in examples {
            assert!(
                !example.title.is_empty() && !example.title.starts_with('#'),
                "{}",
                example.slug
            );
            assert!(
                example.intro.len() > 80,
                "{} needs a real intro",
                example.slug
            );
            crate::program::compile(example.source)
                .unwrap_or_else(|e| panic!("{}: {e}", example.slug));
        }
        assert_eq!(
            find("two-paths").unwrap().title,
            "Two paths to x1: (x1 + x2) · x1"
        );
        assert_eq!(
            find("two-paths").unwrap().program,
            "x1 = 3\nx2 = 4\n(x1 + x2) * x1\n"
        );
        assert_eq!(find("nope"), None);
    }
}
