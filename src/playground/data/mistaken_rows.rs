//! A classifier's misclassified held-out rows of own data as a table the playground
//! shows under the confusion matrix: each row's features, what it is and what the model
//! read it as, by the classes' names (the user's text, escaped).

use super::pictures::MAX_MISTAKES;
use crate::data::table::Table;
use crate::number::format_number;
use crate::render::svg::draw::escape;
use std::fmt::Write;

/// The most feature columns the table shows (the rest are summed up as "…").
pub const MAX_COLUMNS: usize = 6;

/// `mistakes` (row, predicted, true; from [`super::pictures::mistakes`]) of the
/// held-out rows `test`, `total` of them, as a table.
pub fn markup(mistakes: &[(usize, usize, usize)], test: &Table, total: usize) -> String {
    let name = |k: usize| escape(test.class_names.get(k).map_or("?", String::as_str));
    let shown = test.width().min(MAX_COLUMNS);
    let mut out = format!(
        "<figure class=\"mistaken-rows\" data-mistakes=\"{}\"><figcaption>Misclassified held-out rows: {} of {total}{}</figcaption>",
        mistakes.len(),
        mistakes.len(),
        if mistakes.len() == MAX_MISTAKES {
            " (the first)"
        } else {
            ""
        }
    );
    if mistakes.is_empty() {
        out.push_str("</figure>");
        return out;
    }
    out.push_str("<table><thead><tr>");
    for column in test.feature_names.iter().take(shown) {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(column));
    }
    if test.width() > shown {
        out.push_str("<th scope=\"col\">…</th>");
    }
    out.push_str("<th scope=\"col\">is</th><th scope=\"col\">read as</th></tr></thead><tbody>");
    for &(row, predicted, truth) in mistakes {
        out.push_str("<tr>");
        for &value in test.row(row).iter().take(shown) {
            let _ = write!(out, "<td>{}</td>", format_number(value));
        }
        if test.width() > shown {
            out.push_str("<td>…</td>");
        }
        let _ = write!(
            out,
            "<td class=\"truth\">{}</td><td class=\"predicted\">{}</td></tr>",
            name(truth),
            name(predicted)
        );
    }
    out.push_str("</tbody></table></figure>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playground::data::pictures::mistakes;

    #[test]
    fn each_mistake_is_a_row_with_its_names_escaped() {
        let test = Table {
            feature_names: vec!["a".into(), "<b>".into()],
            features: vec![1.0, 2.0, 3.0, 4.5, 5.0, 6.0],
            targets: vec![0.0, 1.0, 2.0],
            class_names: vec!["cat".into(), "<script>".into(), "dog".into()],
        };
        let found = mistakes(&[0, 2, 1], &[0, 1, 2]);
        let html = markup(&found, &test, 3);
        assert!(html.contains(
            "data-mistakes=\"2\"><figcaption>Misclassified held-out rows: 2 of 3</figcaption>"
        ));
        assert!(html.contains("<th scope=\"col\">&lt;b&gt;</th>"));
        assert!(html.contains("<tr><td>3</td><td>4.5</td><td class=\"truth\">&lt;script&gt;</td><td class=\"predicted\">dog</td></tr>"), "{html}");
        assert!(html.contains("<td>5</td><td>6</td><td class=\"truth\">dog</td><td class=\"predicted\">&lt;script&gt;</td>"));
        assert!(!html.contains("<script>") && !html.contains("<b>"));
        assert_eq!(
            markup(&[], &test, 3),
            "<figure class=\"mistaken-rows\" data-mistakes=\"0\"><figcaption>Misclassified held-out rows: 0 of 3</figcaption></figure>"
        );
        // Wide rows show their first columns.
        let wide = Table {
            feature_names: (0..10).map(|k| format!("f{k}")).collect(),
            features: vec![0.0; 20],
            targets: vec![0.0, 1.0],
            class_names: vec!["x".into(), "y".into()],
        };
        let html = markup(&mistakes(&[1], &[0]), &wide, 2);
        assert_eq!(html.matches("<th scope").count(), MAX_COLUMNS + 3, "{html}");
    }
}
