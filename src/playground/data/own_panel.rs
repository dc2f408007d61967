//! The own-data controls as markup (read back by their `name`s, like
//! [`crate::playground::panel`]): the class of new points, remove mode, a point added by
//! its coordinates (the keyboard's way to the plot's clicks), the held-out share, and a
//! CSV pasted or uploaded with its label column and what the label is; with the row
//! counts, the limit, and the last error.

use super::own_edit::train_rows;
use crate::data::own::{MAX_ROWS, Own};
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

/// The panel for `own` (None: the program's own data could not be read).
pub fn markup(own: Option<&Own>, panel: &OwnPanel, columns: &[String]) -> String {
    let mut out = String::from("<fieldset class=\"own-data\"><legend>Your data</legend>");
    if let Some(own) = own {
        let (rows, train) = (own.table.rows(), train_rows(own));
        let _ = write!(
            out,
            "<p class=\"form-note\" data-own-rows=\"{rows}\">{rows} rows: {train} for training, {} held out. They live in the program and its link (up to {MAX_ROWS} rows); nothing leaves the page.</p>",
            rows - train
        );
        if own.table.width() == 2 && own.task == Task::Classification {
            out.push_str("<p class=\"form-note\">Click the plot to add a point of the chosen class, drag a point to move it, shift-click (or remove mode) to remove one.</p><div class=\"own-classes\" role=\"radiogroup\" aria-label=\"Class of new points\">");
            let offered = (own.table.classes() + 1).clamp(2, MAX_CLASS_CHOICES);
            for class in 0..offered {
                let checked = if class == panel.class { " checked" } else { "" };
                let _ = write!(
                    out,
                    "<label class=\"check\"><input type=\"radio\" name=\"own_class\" value=\"{class}\"{checked}><span class=\"swatch c{}\"></span>Class {class}</label>",
                    class % 3
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
        let html = markup(Some(&start()), &panel, &columns);
        assert!(html.contains("data-own-rows=\"12\">12 rows: 10 for training, 2 held out"));
        assert!(html.contains("up to 1000 rows"));
        assert!(html.contains("name=\"own_class\" value=\"1\" checked"));
        assert_eq!(html.matches("name=\"own_class\"").count(), 3);
        assert!(html.contains("<option value=\"&lt;b&gt;\" selected>&lt;b&gt;</option>"));
        assert!(html.contains("role=\"alert\">line 2, column 3: `&lt;x&gt;`"));
        assert!(!html.contains("<b>") && !html.contains("<x>"));
        assert!(html.contains("<details class=\"own-csv\" open>"));
        // Without readable own data: the CSV part only.
        let bare = markup(None, &OwnPanel::default(), &[]);
        assert!(!bare.contains("own_class") && bare.contains("name=\"own_csv\""));
    }
}
