//! Every worked example's LaTeX export, compiled with pdflatex in a default `article`
//! page (amsmath, amssymb): it must compile and have no overfull box wider than 1 pt.
//! Reverse mode for every example, forward mode by each input where the program allows it.
//!
//! Needs `pdflatex` (Debian: texlive-latex-base, texlive-latex-recommended), so it is
//! ignored by a plain `cargo test`; `make latex-check` runs it.

use backprop_viz::examples;
use backprop_viz::export::{Format, document};
use backprop_viz::render::svg::Palette;
use backprop_viz::session::Session;
use backprop_viz::url_state::ModeChoice;
use std::path::Path;
use std::process::Command;

/// The widest overfull box tolerated, in points.
const TOLERANCE_PT: f64 = 1.0;

/// Every export to check: a name for the files and the LaTeX fragment.
fn exports() -> Vec<(String, String)> {
    let mut all = Vec::new();
    for example in examples::all() {
        let mut session = Session::new(example.program);
        let latex = document(&session, Format::Latex, &Palette::LIGHT).unwrap();
        all.push((example.slug.to_string(), latex));
        if session.forward_mode_unavailable().is_some() {
            continue;
        }
        let names: Vec<String> = session.inputs().into_iter().map(|(_, n, _)| n).collect();
        for name in names {
            session.set_mode(ModeChoice::Forward { wrt: name.clone() });
            let latex = document(&session, Format::Latex, &Palette::LIGHT).unwrap();
            all.push((format!("{}-forward-{name}", example.slug), latex));
        }
    }
    all
}

/// A whole document around `fragment`, as a course's notes would hold it.
fn article(fragment: &str) -> String {
    format!(
        "\\documentclass{{article}}\n\\usepackage{{amsmath,amssymb}}\n\\begin{{document}}\n{fragment}\n\\end{{document}}\n"
    )
}

/// The overfull boxes pdflatex's log reports, as (points too wide, the log line).
fn overfull_boxes(log: &str) -> Vec<(f64, String)> {
    log.lines()
        .filter(|line| line.starts_with("Overfull \\hbox") || line.starts_with("Overfull \\vbox"))
        .map(|line| {
            let points = line
                .split_once('(')
                .and_then(|(_, rest)| rest.split_once("pt"))
                .and_then(|(number, _)| number.parse::<f64>().ok())
                .unwrap_or(f64::INFINITY);
            (points, line.to_string())
        })
        .collect()
}

/// Compiles `name.tex` in `dir`; returns the log, or why it did not compile.
fn compile(dir: &Path, name: &str, source: &str) -> Result<String, String> {
    let tex = dir.join(format!("{name}.tex"));
    std::fs::write(&tex, article(source)).unwrap();
    let output = Command::new("pdflatex")
        .args([
            "-interaction=nonstopmode",
            "-halt-on-error",
            "-no-shell-escape",
        ])
        .arg(format!("{name}.tex"))
        .current_dir(dir)
        .output()
        .map_err(|e| format!("pdflatex could not run ({e}); install texlive-latex-base"))?;
    let log = std::fs::read_to_string(dir.join(format!("{name}.log"))).unwrap_or_default();
    if !output.status.success() {
        let errors: Vec<&str> = log.lines().filter(|l| l.starts_with('!')).collect();
        return Err(format!("does not compile: {}", errors.join(" / ")));
    }
    Ok(log)
}

#[test]
fn the_overfull_box_reader_reads_pdflatex_logs() {
    let log = "x\nOverfull \\hbox (41.75908pt too wide) in paragraph at lines 7--28\n[][]\nOverfull \\hbox (0.5pt too wide) detected at line 3\n";
    let boxes = overfull_boxes(log);
    assert_eq!(boxes.len(), 2);
    assert_eq!(boxes[0].0, 41.75908);
    assert_eq!(boxes[1].0, 0.5);
}

#[test]
#[ignore = "needs pdflatex; run with `make latex-check`"]
fn every_example_fits_an_article_page() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("latex-fit");
    std::fs::create_dir_all(&dir).unwrap();
    let mut failures = Vec::new();
    let exports = exports();
    assert!(exports.len() >= 10, "every example is checked");
    for (name, latex) in &exports {
        match compile(&dir, name, latex) {
            Err(why) => failures.push(format!("{name}: {why}")),
            Ok(log) => {
                for (points, line) in overfull_boxes(&log) {
                    if points > TOLERANCE_PT {
                        failures.push(format!("{name}: {line}"));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} exports do not fit (files in {}):\n{}",
        failures.len(),
        exports.len(),
        dir.display(),
        failures.join("\n")
    );
}
