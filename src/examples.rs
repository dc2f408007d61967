//! The worked examples shipped in `www/examples/*.bp`, compiled in. Each file is a valid
//! program whose leading `#` lines give a title (the first) and an intro (the rest). A
//! pitfall (its title starts `Pitfall:`) may come with its fix, `NN-slug.fix.bp`, the same
//! program put right, which the gallery's "show the fix" switch loads. A `#:` line gives
//! how the example is stepped ([`Setup`]: micro-batches, `zero_grad`, `no_grad`, precision).

use crate::engine::setup::Setup;

/// A worked example: a program with a title and a one-paragraph intro.
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    /// The file name without its number and extension, e.g. `two-paths`.
    pub slug: &'static str,
    pub title: String,
    pub intro: String,
    /// The whole file, which is itself the program.
    pub source: &'static str,
    /// The program without its title and intro comments, as the editor shows it.
    pub program: &'static str,
    /// For a pitfall: the same program with the fix (its slug ends in `-fix`).
    pub fix: Option<Box<Example>>,
    /// How it is stepped, from its `#:` line (one plain pass without one).
    pub setup: Setup,
}

impl Example {
    /// Whether the example shows a pitfall (the gallery groups these).
    pub fn is_pitfall(&self) -> bool {
        self.title.starts_with("Pitfall:")
    }
}

/// A pitfall's fix: its slug and file.
type Fix = Option<(&'static str, &'static str)>;

const FILES: [(&str, &str, Fix); 18] = [
    (
        "two-paths",
        include_str!("../www/examples/01-two-paths.bp"),
        None,
    ),
    (
        "linear-square",
        include_str!("../www/examples/02-linear-square.bp"),
        None,
    ),
    (
        "squared-error",
        include_str!("../www/examples/03-squared-error.bp"),
        None,
    ),
    (
        "sigmoid-neuron",
        include_str!("../www/examples/04-sigmoid-neuron.bp"),
        None,
    ),
    (
        "lin-relu-lin",
        include_str!("../www/examples/05-lin-relu-lin.bp"),
        None,
    ),
    (
        "tiny-relu-network",
        include_str!("../www/examples/06-tiny-relu-network.bp"),
        None,
    ),
    (
        "moons-mlp",
        include_str!("../www/examples/07-moons-mlp.bp"),
        None,
    ),
    (
        "accumulation",
        include_str!("../www/examples/16-accumulation.bp"),
        None,
    ),
    (
        "nan-spreads",
        include_str!("../www/examples/08-nan-spreads.bp"),
        Some((
            "nan-spreads-fix",
            include_str!("../www/examples/08-nan-spreads.fix.bp"),
        )),
    ),
    (
        "sqrt-at-zero",
        include_str!("../www/examples/13-sqrt-at-zero.bp"),
        Some((
            "sqrt-at-zero-fix",
            include_str!("../www/examples/13-sqrt-at-zero.fix.bp"),
        )),
    ),
    (
        "vanishing-sigmoid",
        include_str!("../www/examples/09-vanishing-sigmoid.bp"),
        Some((
            "vanishing-sigmoid-fix",
            include_str!("../www/examples/09-vanishing-sigmoid.fix.bp"),
        )),
    ),
    (
        "exploding-product",
        include_str!("../www/examples/10-exploding-product.bp"),
        None,
    ),
    (
        "init-scale",
        include_str!("../www/examples/14-init-scale.bp"),
        Some((
            "init-scale-fix",
            include_str!("../www/examples/14-init-scale.fix.bp"),
        )),
    ),
    (
        "detach-mistake",
        include_str!("../www/examples/11-detach-mistake.bp"),
        Some((
            "detach-mistake-fix",
            include_str!("../www/examples/11-detach-mistake.fix.bp"),
        )),
    ),
    (
        "hard-threshold",
        include_str!("../www/examples/12-hard-threshold.bp"),
        Some((
            "hard-threshold-fix",
            include_str!("../www/examples/12-hard-threshold.fix.bp"),
        )),
    ),
    (
        "forgot-zero-grad",
        include_str!("../www/examples/17-forgot-zero-grad.bp"),
        Some((
            "forgot-zero-grad-fix",
            include_str!("../www/examples/17-forgot-zero-grad.fix.bp"),
        )),
    ),
    (
        "no-grad",
        include_str!("../www/examples/18-no-grad.bp"),
        Some((
            "no-grad-fix",
            include_str!("../www/examples/18-no-grad.fix.bp"),
        )),
    ),
    (
        "f16-overflow",
        include_str!("../www/examples/19-f16-overflow.bp"),
        Some((
            "f16-overflow-fix",
            include_str!("../www/examples/19-f16-overflow.fix.bp"),
        )),
    ),
];

/// The labs whose program the language refuses on purpose (the refusal is the lesson), with
/// their fixes, which compile: kept apart from [`FILES`], whose programs all compile. The
/// gallery lists them last among the pitfalls.
const REFUSED_FILES: [(&str, &str, Fix); 1] = [(
    "in-place",
    include_str!("../www/examples/20-in-place.bp"),
    Some((
        "in-place-fix",
        include_str!("../www/examples/20-in-place.fix.bp"),
    )),
)];

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

/// The examples over the real datasets (`www/data/`), for the CLI: the app loads those
/// datasets on demand, so its gallery cannot open these yet.
const DATA_FILES: [(&str, &str); 1] = [(
    "digits-mlp",
    include_str!("../www/examples/15-digits-mlp.bp"),
)];

/// The gallery's examples, in gallery order (the CLI has [`catalog`]); every one compiles.
pub fn all() -> Vec<Example> {
    examples_of(&FILES)
}

/// The pitfall labs whose program is refused on purpose (a change in place), each with its
/// fix.
pub fn refused() -> Vec<Example> {
    examples_of(&REFUSED_FILES)
}

fn examples_of(files: &[(&'static str, &'static str, Fix)]) -> Vec<Example> {
    files
        .iter()
        .map(|&(slug, source, fix)| Example {
            fix: fix.map(|(slug, source)| Box::new(parse_header(slug, source))),
            ..parse_header(slug, source)
        })
        .collect()
}

/// Every example with its fix, if it has one, then the memory examples and those over the
/// real datasets: what the CLI lists and finds by slug.
pub fn catalog() -> Vec<Example> {
    with_fixes()
        .chain(
            MEMORY_FILES
                .iter()
                .chain(&DATA_FILES)
                .map(|&(slug, source)| parse_header(slug, source)),
        )
        .collect()
}

/// The example (or pitfall fix) called `slug`.
pub fn find(slug: &str) -> Option<Example> {
    catalog().into_iter().find(|example| example.slug == slug)
}

/// Every example followed by its fix, if it has one (the refused labs last).
fn with_fixes() -> impl Iterator<Item = Example> {
    all().into_iter().chain(refused()).flat_map(|example| {
        let fix = example.fix.clone().map(|fix| *fix);
        std::iter::once(example).chain(fix)
    })
}

/// The example or pitfall fix whose program is `program` (what the editor holds), stepped
/// as `setup` says; failing that, the first with that program (a lab and its fix may
/// differ in their setup alone).
pub fn with_program(program: &str, setup: &Setup) -> Option<Example> {
    let same: Vec<Example> = with_fixes()
        .filter(|example| example.program == program)
        .collect();
    let exact = same.iter().position(|example| example.setup == *setup);
    same.into_iter().nth(exact.unwrap_or(0))
}

/// Split the leading comment lines into title and intro.
fn parse_header(slug: &'static str, source: &'static str) -> Example {
    let header = source.lines().map_while(|line| line.strip_prefix('#'));
    let (settings, mut comments): (Vec<&str>, Vec<&str>) =
        header.partition(|line| line.starts_with(':'));
    let setup = settings
        .iter()
        .filter_map(|line| Setup::parse(&line[1..]).ok())
        .next_back()
        .unwrap_or_default();
    let intro = comments.split_off(comments.len().min(1));
    let title = comments.first().map_or(slug, |t| t.trim()).to_string();
    let intro = intro
        .iter()
        .map(|line| line.trim())
        .collect::<Vec<_>>()
        .join(" ");
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
        fix: None,
        setup,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_has_a_title_an_intro_and_compiles() {
        assert_eq!(all().len(), FILES.len());
        let examples = catalog();
        let fixes = FILES
            .iter()
            .chain(&REFUSED_FILES)
            .filter(|file| file.2.is_some())
            .count();
        assert_eq!(
            examples.len(),
            FILES.len() + REFUSED_FILES.len() + fixes + MEMORY_FILES.len() + DATA_FILES.len()
        );
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
            match crate::program::compile(example.source) {
                Ok(_) => {}
                // The in-place lab shows the error that refuses it.
                Err(e) if refused().iter().any(|r| r.slug == example.slug) => {
                    let message = e.to_string();
                    assert!(message.contains("`h` is changed in place"), "{message}");
                    assert!(message.contains("`h` saved it"), "{message}");
                }
                Err(e) => panic!("{}: {e}", example.slug),
            }
            for line in example.source.lines().filter(|l| l.starts_with("#:")) {
                Setup::parse(&line[2..]).unwrap_or_else(|e| panic!("{}: {e}", example.slug));
            }
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

    #[test]
    fn pitfalls_come_with_fixes_that_compile() {
        let pitfalls: Vec<Example> = all()
            .into_iter()
            .chain(refused())
            .filter(Example::is_pitfall)
            .collect();
        assert!(pitfalls.len() >= 7, "{}", pitfalls.len());
        for pitfall in &pitfalls {
            let Some(fix) = &pitfall.fix else { continue };
            assert!(fix.title.starts_with("Fix:"), "{}", fix.slug);
            assert!(fix.intro.len() > 80, "{} needs a real intro", fix.slug);
            assert_eq!(fix.slug, format!("{}-fix", pitfall.slug));
            assert!(fix.program != pitfall.program || fix.setup != pitfall.setup);
            crate::program::compile(fix.source).unwrap_or_else(|e| panic!("{}: {e}", fix.slug));
            assert_eq!(find(fix.slug).as_ref(), Some(&**fix));
            assert_eq!(with_program(fix.program, &fix.setup).as_ref(), Some(&**fix));
            assert_eq!(
                with_program(pitfall.program, &pitfall.setup).map(|e| e.slug),
                Some(pitfall.slug)
            );
        }
        assert!(
            all()
                .iter()
                .all(|example| example.fix.is_none() || example.is_pitfall())
        );
    }
}
