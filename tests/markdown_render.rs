//! The Markdown export read by a CommonMark parser with GitHub's tables and `$` math
//! (pulldown-cmark, as mdBook and many static-site tools use it): for every worked example
//! in reverse mode, and in forward mode by each input where the program allows it, every
//! table is well formed (each row has the header's number of cells), no `$`, `<` or `|`
//! of a formula is read as math, markup or a cell border, and the text a reader sees holds
//! each formula as the export wrote it, its escapes undone. Each export is also rendered to
//! HTML, as a page to look at (`target/tmp/markdown-render/index.html`, every example), and
//! the README's mdBook recipe is checked the way mdBook renders a chapter (pulldown-cmark,
//! raw HTML kept): the element and its script come through as HTML.

use backprop_viz::examples;
use backprop_viz::export::{Format, document};
use backprop_viz::render::svg::Palette;
use backprop_viz::session::Session;
use backprop_viz::url_state::ModeChoice;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};
use std::path::Path;

/// Every Markdown export to check, by name.
fn exports() -> Vec<(String, String)> {
    let mut all = Vec::new();
    for example in examples::all() {
        let mut session = Session::new(example.program);
        let markdown = document(&session, Format::Markdown, &Palette::LIGHT).unwrap();
        all.push((example.slug.to_string(), markdown));
        if session.forward_mode_unavailable().is_some() {
            continue;
        }
        let names: Vec<String> = session.inputs().into_iter().map(|(_, n, _)| n).collect();
        for name in names {
            session.set_mode(ModeChoice::Forward { wrt: name.clone() });
            let markdown = document(&session, Format::Markdown, &Palette::LIGHT).unwrap();
            all.push((format!("{}-forward-{name}", example.slug), markdown));
        }
    }
    all
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_MATH | Options::ENABLE_STRIKETHROUGH
}

/// What a reader of the rendered page gets: each table's rows as cell texts, the plain
/// text of everything, and whatever the parser read as math or raw HTML.
#[derive(Default)]
struct Rendered {
    tables: Vec<Vec<Vec<String>>>,
    text: String,
    math: Vec<String>,
    html: Vec<String>,
    headings: usize,
    list_items: usize,
}

fn render(markdown: &str) -> Rendered {
    let mut out = Rendered::default();
    let mut cell: Option<String> = None;
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(Tag::Table(_)) => out.tables.push(Vec::new()),
            Event::Start(Tag::TableHead | Tag::TableRow) => {
                if let Some(table) = out.tables.last_mut() {
                    table.push(Vec::new());
                }
            }
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => {
                let text = cell.take().unwrap_or_default();
                if let Some(row) = out.tables.last_mut().and_then(|t| t.last_mut()) {
                    row.push(text.trim().to_string());
                }
            }
            Event::Start(Tag::Heading { .. }) => out.headings += 1,
            Event::Start(Tag::Item) => out.list_items += 1,
            Event::Text(text) | Event::Code(text) => {
                if let Some(cell) = cell.as_mut() {
                    cell.push_str(&text);
                }
                out.text.push_str(&text);
            }
            Event::SoftBreak | Event::HardBreak => out.text.push('\n'),
            Event::End(
                TagEnd::Paragraph | TagEnd::Item | TagEnd::TableRow | TagEnd::Heading(_),
            ) => out.text.push('\n'),
            Event::InlineMath(math) | Event::DisplayMath(math) => out.math.push(math.to_string()),
            Event::Html(html) | Event::InlineHtml(html) => out.html.push(html.to_string()),
            _ => {}
        }
    }
    out
}

#[test]
fn every_export_parses_into_well_formed_tables_without_stray_math_or_markup() {
    let exports = exports();
    assert!(exports.len() >= 10);
    for (name, markdown) in &exports {
        let rendered = render(markdown);
        assert!(
            rendered.math.is_empty(),
            "{name}: read as math: {:?}",
            rendered.math
        );
        assert!(
            rendered.html.is_empty(),
            "{name}: read as HTML: {:?}",
            rendered.html
        );
        assert!(rendered.headings >= 3, "{name}: headings");
        // The forward table and the gradients table.
        assert!(
            rendered.tables.len() >= 2,
            "{name}: {} tables",
            rendered.tables.len()
        );
        for table in &rendered.tables {
            let header = table[0].len();
            assert!(header >= 3, "{name}: a header of {header} cells");
            for row in table {
                assert_eq!(
                    row.len(),
                    header,
                    "{name}: a row {row:?} under a header of {header}"
                );
                assert!(
                    row.iter().all(|cell| !cell.is_empty()),
                    "{name}: an empty cell in {row:?}"
                );
            }
        }
        assert!(
            !rendered.text.contains('\\'),
            "{name}: an escape shows as a backslash"
        );
        // GitHub pads a short row and drops a long row's extra cells: count the borders.
        let mut header = None;
        for line in markdown.lines() {
            if !line.starts_with('|') {
                header = None;
                continue;
            }
            let cells = unescaped_pipes(line);
            let expected = *header.get_or_insert(cells);
            assert_eq!(
                cells, expected,
                "{name}: {line:?} has another number of cells than its header"
            );
        }
    }
}

/// The `|` of a table line that are cell borders (not `\|`).
fn unescaped_pipes(line: &str) -> usize {
    let mut count = 0;
    let mut escaped = false;
    for c in line.chars() {
        if c == '|' && !escaped {
            count += 1;
        }
        escaped = c == '\\' && !escaped;
    }
    count
}

#[test]
fn the_checks_see_math_markup_and_broken_rows() {
    let rendered = render("Cost $x^2$ and <b>bold</b>.\n\n| a | b |\n|---|---|\n| 1 |\n");
    assert_eq!(rendered.math, ["x^2"]);
    assert_eq!(rendered.html, ["<b>", "</b>"]);
    assert_eq!(
        rendered.tables[0][1],
        ["1", ""],
        "a short row is padded with an empty cell"
    );
    assert_eq!(unescaped_pipes("| a \\| b | c |"), 3);
}

#[test]
fn a_reader_sees_the_formulas_as_the_trace_writes_them() {
    let session = Session::new("x1 = 3\nx2 = 4\n(x1 + x2) * x1");
    let markdown = document(&session, Format::Markdown, &Palette::LIGHT).unwrap();
    let rendered = render(&markdown);
    let forward = &rendered.tables[0];
    assert_eq!(
        forward[0],
        [
            "Node",
            "Formula",
            "Value",
            "Local derivative w.r.t. each input"
        ]
    );
    assert_eq!(
        forward[4],
        ["v4", "v3 · x1", "21", "∂v4/∂v3 = x1 = 3, ∂v4/∂x1 = v3 = 7"]
    );
    assert_eq!(
        rendered.list_items,
        2 + 4,
        "two backward steps, four updates"
    );
    assert!(
        rendered
            .text
            .contains("x̄1 += ∂v3/∂x1 · v̄3 = 1 · 3 = 3, so x̄1 = 7 + 3 = 10")
    );
    assert_eq!(rendered.tables[1][1], ["x1", "3", "∂v4/∂x1 = x̄1 = 10"]);
}

#[test]
fn names_with_markdown_characters_stay_text() {
    // `_` and `*` would start emphasis, `|` would split a cell, `<` could start markup.
    let program = "w_1 = 2\nb_1 = 1\ny = w_1 * 3 + b_1\nz = y * y";
    let session = Session::new(program);
    let markdown = document(&session, Format::Markdown, &Palette::LIGHT).unwrap();
    let rendered = render(&markdown);
    assert!(rendered.html.is_empty() && rendered.math.is_empty());
    let forward = &rendered.tables[0];
    assert!(
        forward.iter().any(|row| row[0] == "w_1" && row[2] == "2"),
        "{forward:?}"
    );
    assert!(
        forward
            .iter()
            .any(|row| row[1] == "w_1 · 3" || row[1].contains("w_1 · 3")),
        "{forward:?}"
    );
    for row in forward {
        assert_eq!(row.len(), 4, "{row:?}");
    }
}

/// HTML text escaped for the page around the rendered exports.
fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[test]
fn every_export_rendered_into_one_page() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("markdown-render");
    std::fs::create_dir_all(&dir).unwrap();
    let mut page = String::from(
        "<!DOCTYPE html><html lang=\"en\"><meta charset=\"utf-8\"><title>Markdown exports, rendered</title>\n<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:auto;padding:1rem}table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:0.2rem 0.5rem}article{border-top:3px solid #444;margin-top:2rem}</style>\n",
    );
    for (name, markdown) in exports() {
        let mut body = String::new();
        html::push_html(&mut body, Parser::new_ext(&markdown, options()));
        assert!(body.contains("<table>") && body.contains("<td>"), "{name}");
        assert!(
            !body.contains("<script") && !body.contains("<img"),
            "{name}"
        );
        page.push_str(&format!(
            "<article id=\"{}\">{body}</article>\n",
            escape_html(&name)
        ));
    }
    let file = dir.join("index.html");
    std::fs::write(&file, page).unwrap();
    eprintln!("rendered exports: {}", file.display());
}

#[test]
fn the_mdbook_recipe_keeps_the_element_and_its_script() {
    let chapter = "# Two paths\n\nStep through it:\n\n<script type=\"module\" src=\"viz/backprop-embed.js\"></script>\n<backprop-graph program=\"(x1+x2)*x1\" at=\"x1=3,x2=4\"></backprop-graph>\n\nThen read on.\n";
    let mut body = String::new();
    html::push_html(&mut body, Parser::new_ext(chapter, options()));
    assert!(
        body.contains("<script type=\"module\" src=\"viz/backprop-embed.js\"></script>"),
        "{body}"
    );
    assert!(
        body.contains("<backprop-graph program=\"(x1+x2)*x1\" at=\"x1=3,x2=4\"></backprop-graph>"),
        "{body}"
    );
    assert!(body.contains("<p>Then read on.</p>"), "{body}");
}
