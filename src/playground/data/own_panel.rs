//! The own-data controls as markup (read back by their `name`s, like
//! [`crate::playground::panel`]): the class of new points, remove mode, a point added by
//! its coordinates (the keyboard's way to the plot's clicks), the held-out share, and a
//! CSV pasted or uploaded with its label column and what the label is; with the row
//! counts, the classes' names and rows (the plot's legend), the limit, whether the page
//! or the program keeps the rows, a link's left-out rows, and the last error. Names
//! are the user's text: every one is escaped.

use super::own_edit::train_rows;
use crate::data::own::{MAX_ROWS, Own, grouped, left_out_sentence};
use crate::data::table::Task;
use crate::number::format_number;
use crate::render::svg::draw::escape;
use std::fmt::Write;

/// The most classes the class chooser offers.
pub const MAX_CLASS_CHOICES: usize = 6;

/// What the panel shows besides the data.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OwnPanel {
    /// The class of points added next.
    pub class: usize,
    /// Whether a click on the plot removes the nearest point.
    pub remove: bool,
    /// The coordinates typed for "Add point".
    pub x: String,
    pub y: String,
    /// The CSV text pasted or uploaded, the chosen label column and task.
    pub csv: String,
    pub label: Option<String>,
    pub regression: bool,
    /// The last edit's error (a CSV's names its line and column).
    pub error: Option<String>,
}

/// How class `k` called `name` is offered and listed: "Class 2" while its name is its
/// number, else its name (escaped).
fn class_label(k: usize, name: Option<&String>) -> String {
    match name {
        Some(name) if *name != k.to_string() => escape(name),
        _ => format!("Class {k}"),
    }
}

/// The panel for `own` (None: the program's own data could not be read; `left_out`:
/// the rows a link left out, which this page does not hold).
pub fn markup(
    own: Option<&Own>,
    panel: &OwnPanel,
    columns: &[String],
    left_out: Option<usize>,
) -> String {
    let mut out = String::from("<fieldset class=\"own-data\"><legend>Your data</legend>");
    if let (None, Some(rows)) = (own, left_out) {
        let _ = write!(
            out,
            "<p class=\"own-left-out\" role=\"alert\" data-own-left-out=\"{rows}\">{}</p>",
            left_out_sentence(rows)
        );
    }
    if let Some(own) = own {
        let (rows, train) = (own.table.rows(), train_rows(own));
        let kept = if own.kept_by_page() {
            format!(
                " data-own-kept=\"{rows}\">{} rows: {} for training, {} held out. Over {} rows, this page keeps them: the program names them and its link leaves them out. Nothing leaves the page.",
                grouped(rows),
                grouped(train),
                grouped(rows - train),
                grouped(MAX_ROWS)
            )
        } else {
            format!(
                ">{rows} rows: {train} for training, {} held out. They live in the program and its link (up to {} rows); nothing leaves the page.",
                rows - train,
                grouped(MAX_ROWS)
            )
        };
        let _ = write!(
            out,
            "<p class=\"form-note\" data-own-rows=\"{rows}\"{kept}</p>"
        );
        if own.task == Task::Classification {
            out.push_str("<ul class=\"own-legend\" aria-label=\"Classes and their rows\">");
            for (k, count) in own.table.class_counts().iter().enumerate() {
                let _ = write!(
                    out,
                    "<li data-class=\"{k}\"><span class=\"swatch c{}\"></span><span class=\"own-class-name\">{}</span> <span class=\"own-class-count\" data-count=\"{count}\">{}</span></li>",
                    k % 3,
                    class_label(k, own.table.class_names.get(k)),
                    grouped(*count)
                );
            }
            out.push_str("</ul>");
        }
        if own.table.width() == 2 && own.task == Task::Classification {
            out.push_str("<p class=\"form-note\">Click the plot to add a point of the chosen class, drag a point to move it, shift-click (or remove mode) to remove one.</p><div class=\"own-classes\" role=\"radiogroup\" aria-label=\"Class of new points\">");
            let offered = (own.table.classes() + 1).clamp(2, MAX_CLASS_CHOICES);
            for class in 0..offered {
                let checked = if class == panel.class { " checked" } else { "" };
                let _ = write!(
                    out,
                    "<label class=\"check\"><input type=\"radio\" name=\"own_class\" value=\"{class}\"{checked}><span class=\"swatch c{}\"></span>{}</label>",
                    class % 3,
                    class_label(class, own.table.class_names.get(class))
                );
            }
            let remove = if panel.remove { " checked" } else { "" };
            let _ = write!(
                out,
                "</div><label class=\"check\"><input type=\"checkbox\" name=\"own_remove\"{remove}>Remove mode: a click removes the nearest point</label><div class=\"own-add\"><label>x<input type=\"number\" step=\"any\" name=\"own_x\" value=\"{}\"></label><label>y<input type=\"number\" step=\"any\" name=\"own_y\" value=\"{}\"></label><button type=\"button\" name=\"own_add\">Add point</button><button type=\"button\" name=\"own_remove_last\">Remove last point</button></div>",
                escape(&panel.x),
                escape(&panel.y)
            );
        }
        let _ = write!(
            out,
            "<label>Held-out share<input type=\"number\" name=\"own_test\" min=\"0\" max=\"0.5\" step=\"0.05\" value=\"{}\"></label>",
            format_number(own.test_share)
        );
    }
    let _ = write!(
        out,
        "<details class=\"own-csv\"{}><summary>Paste or upload a CSV</summary><textarea name=\"own_csv\" rows=\"5\" spellcheck=\"false\" aria-label=\"CSV text\" placeholder=\"x,y,label&#10;0.5,1.2,a\">{}</textarea><input type=\"file\" name=\"own_file\" accept=\".csv,text/csv,text/plain\" aria-label=\"Upload a CSV file\">",
        if panel.csv.is_empty() { "" } else { " open" },
        escape(&panel.csv)
    );
    out.push_str("<label>Label column<select name=\"own_label\" aria-label=\"Label column\">");
    let chosen = panel.label.clone().or_else(|| columns.last().cloned());
    for column in columns {
        let selected = if Some(column) == chosen.as_ref() {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<option value=\"{0}\"{selected}>{0}</option>",
            escape(column)
        );
    }
    let (classes, numbers) = if panel.regression {
        ("", " selected")
    } else {
        (" selected", "")
    };
    let _ = write!(
        out,
        "</select></label><label>The label is<select name=\"own_task\" aria-label=\"The label is\"><option value=\"classification\"{classes}>a class</option><option value=\"regression\"{numbers}>a number (regression)</option></select></label><button type=\"button\" name=\"own_use\">Use this CSV</button></details>"
    );
    if let Some(error) = &panel.error {
        let _ = write!(
            out,
            "<p class=\"own-error\" role=\"alert\">{}</p>",
            escape(error)
        );
    }
    out.push_str("</fieldset>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playground::data::own_edit::start;

    #[test]
    fn the_panel_says_the_counts_and_the_limit_and_escapes_what_it_shows() {
        let panel = OwnPanel {
            class: 1,
            csv: "a,<b>\n1,2".into(),
            error: Some("line 2, column 3: `<x>` in column `b` is not a number".into()),
            ..OwnPanel::default()
        };
        let columns = vec!["a".to_string(), "<b>".to_string()];
        let html = markup(Some(&start()), &panel, &columns, None);
        assert!(html.contains("data-own-rows=\"12\">12 rows: 10 for training, 2 held out"));
        assert!(html.contains("up to 1,000 rows"));
        assert!(html.contains("<span class=\"own-class-name\">Class 1</span> <span class=\"own-class-count\" data-count=\"6\">6</span>"));
        assert!(html.contains("name=\"own_class\" value=\"1\" checked"));
        assert_eq!(html.matches("name=\"own_class\"").count(), 3);
        assert!(html.contains("<option value=\"&lt;b&gt;\" selected>&lt;b&gt;</option>"));
        assert!(html.contains("role=\"alert\">line 2, column 3: `&lt;x&gt;`"));
        assert!(!html.contains("<b>") && !html.contains("<x>"));
        assert!(html.contains("<details class=\"own-csv\" open>"));
        // Without readable own data: the CSV part only.
        let bare = markup(None, &OwnPanel::default(), &[], None);
        assert!(!bare.contains("own_class") && bare.contains("name=\"own_csv\""));
        assert!(!bare.contains("own-left-out"));
        // A link that left its rows out says so.
        let left = markup(None, &OwnPanel::default(), &[], Some(5000));
        assert!(
            left.contains("data-own-left-out=\"5000\">This program's 5,000 rows of own data stayed in the page they were loaded in (a link holds up to 1,000 rows): paste or upload the CSV again to train it.</p>"),
            "{left}"
        );
    }

    #[test]
    fn class_names_are_offered_listed_and_escaped() {
        let mut own = start();
        own.table.class_names = vec!["<b>cat</b>".into(), "dog & co".into()];
        let html = markup(Some(&own), &OwnPanel::default(), &[], None);
        assert!(html.contains("value=\"0\" checked><span class=\"swatch c0\"></span>&lt;b&gt;cat&lt;/b&gt;</label>"), "{html}");
        assert!(html.contains("<span class=\"swatch c1\"></span>dog &amp; co</label>"));
        // The third choice is a new class, by its number.
        assert!(html.contains("value=\"2\"><span class=\"swatch c2\"></span>Class 2</label>"));
        assert!(html.contains("<span class=\"own-class-name\">&lt;b&gt;cat&lt;/b&gt;</span>"));
        assert!(!html.contains("<b>"));
        // Rows the page keeps: counted with their thousands, and the link leaves them out.
        let many = crate::data::own::Own {
            table: crate::data::table::Table {
                feature_names: vec!["a".into(), "b".into(), "c".into()],
                features: vec![0.5; 3 * 5000],
                targets: (0..5000).map(|r| (r % 3) as f64).collect(),
                class_names: vec!["x".into(), "y".into(), "z".into()],
            },
            task: Task::Classification,
            test_share: 0.2,
        };
        let html = markup(Some(&many), &OwnPanel::default(), &[], None);
        assert!(html.contains("data-own-rows=\"5000\" data-own-kept=\"5000\">5,000 rows: 4,000 for training, 1,000 held out. Over 1,000 rows, this page keeps them: the program names them and its link leaves them out."), "{html}");
        assert!(html.contains("<span class=\"own-class-name\">z</span> <span class=\"own-class-count\" data-count=\"1666\">1,666</span>"));
        assert!(!html.contains("own_class"), "three features: no clicks");
    }
}
