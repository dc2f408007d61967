//! What the export menu (app and embed) makes from a session, as files: the graph at the
//! current step as SVG, the whole derivation as Markdown or LaTeX (the renderers of
//! `backprop trace`, so the files equal its output), the program as a PyTorch script, and
//! the share link. PNG is the SVG drawn by the browser.

use crate::render::svg::{Palette, graph_document};
use crate::render::{pytorch, trace};
use crate::session::Session;
use crate::url_state::{UrlError, UrlState};
use thiserror::Error;

/// A file to export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Svg,
    Markdown,
    Latex,
    Pytorch,
}

impl Format {
    pub const ALL: [Format; 4] = [
        Format::Svg,
        Format::Markdown,
        Format::Latex,
        Format::Pytorch,
    ];

    /// How scripts name it: `svg`, `markdown`, `latex`, `pytorch`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Markdown => "markdown",
            Format::Latex => "latex",
            Format::Pytorch => "pytorch",
        }
    }

    /// A format by its name (or `md`, `tex`, `python`), in any case.
    pub fn from_name(name: &str) -> Result<Format, ExportError> {
        match name.to_ascii_lowercase().as_str() {
            "svg" => Ok(Format::Svg),
            "markdown" | "md" => Ok(Format::Markdown),
            "latex" | "tex" => Ok(Format::Latex),
            "pytorch" | "python" => Ok(Format::Pytorch),
            _ => Err(ExportError::Format(name.chars().take(40).collect())),
        }
    }

    pub fn file_name(self) -> &'static str {
        match self {
            Format::Svg => "backprop-graph.svg",
            Format::Markdown => "backprop-derivation.md",
            Format::Latex => "backprop-derivation.tex",
            Format::Pytorch => "backprop-gradients.py",
        }
    }

    pub fn mime_type(self) -> &'static str {
        match self {
            Format::Svg => "image/svg+xml",
            Format::Markdown => "text/markdown;charset=utf-8",
            Format::Latex => "application/x-tex;charset=utf-8",
            Format::Pytorch => "text/x-python;charset=utf-8",
        }
    }
}

/// Why there is nothing to export.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum ExportError {
    #[error("there is no program to export yet")]
    NoProgram,
    #[error("the program has an error; fix it first, so the export matches what you see")]
    ProgramError,
    #[error("unknown export format `{0}`: use svg, markdown, latex or pytorch")]
    Format(String),
    #[error("{0}")]
    Link(#[from] UrlError),
}

/// A file's text for `session` (the SVG in `palette`'s colours). The derivation and the
/// script cover the whole run whatever the current step; the SVG shows the current step.
pub fn document(
    session: &Session,
    format: Format,
    palette: &Palette,
) -> Result<String, ExportError> {
    if session.error().is_some() {
        return Err(ExportError::ProgramError);
    }
    let stepper = session.stepper().ok_or(ExportError::NoProgram)?;
    let source = session.source();
    Ok(match format {
        Format::Svg => graph_document(stepper, palette),
        Format::Markdown => trace::markdown(stepper, source),
        Format::Latex => trace::latex(stepper, source),
        Format::Pytorch => pytorch::script(stepper.graph(), stepper.inputs(), source),
    })
}

/// A file's text for the view an app-link fragment describes (the app's export menu
/// hands its view over this way to the module that renders it).
pub fn from_fragment(
    fragment: &str,
    format: Format,
    palette: &Palette,
) -> Result<String, ExportError> {
    let session = Session::from_url(UrlState::from_fragment(fragment)?);
    document(&session, format, palette)
}

/// The app's address for this view: `app` (the app page's URL; any fragment is dropped)
/// with the session as its fragment.
pub fn share_link(session: &Session, app: &str) -> String {
    let base = app.split('#').next().unwrap_or(app);
    format!("{base}#{}", session.to_url().to_fragment())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_program_is_not_exported() {
        let mut session = Session::new("x * 2");
        session.set_source("x *");
        for format in Format::ALL {
            assert_eq!(
                document(&session, format, &Palette::LIGHT),
                Err(ExportError::ProgramError)
            );
        }
        assert_eq!(
            document(&Session::new(""), Format::Svg, &Palette::LIGHT),
            Err(ExportError::ProgramError)
        );
    }

    #[test]
    fn formats_by_name() {
        for format in Format::ALL {
            assert_eq!(Format::from_name(format.name()), Ok(format));
        }
        assert_eq!(Format::from_name("TeX"), Ok(Format::Latex));
        assert_eq!(
            Format::from_name("docx").unwrap_err().to_string(),
            "unknown export format `docx`: use svg, markdown, latex or pytorch"
        );
    }

    #[test]
    fn a_fragment_exports_what_its_session_does() {
        let mut session = Session::new("x1 = 3; x2 = 4; (x1 + x2) * x1");
        session.set_input("x2", -1.0);
        session.seek(6);
        let fragment = session.to_url().to_fragment();
        for format in Format::ALL {
            assert_eq!(
                from_fragment(&fragment, format, &Palette::DARK),
                document(&session, format, &Palette::DARK),
                "{format:?}"
            );
        }
        assert!(matches!(
            from_fragment("step=2", Format::Svg, &Palette::LIGHT),
            Err(ExportError::Link(UrlError::MissingProgram))
        ));
    }

    #[test]
    fn the_share_link_replaces_the_fragment() {
        let mut session = Session::new("x * 2");
        session.seek(1);
        let link = share_link(&session, "https://example.org/viz/index.html#program=old");
        assert_eq!(
            link,
            "https://example.org/viz/index.html#program=x+*+2&at=x%3D1&mode=reverse&step=1"
        );
    }
}
