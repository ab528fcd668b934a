//! Problems found in user input, and their rendering as miette diagnostics.
//!
//! Owns: the [`Problem`] value every stage reports (message, span, label,
//! help, code) and the conversion into a [`miette::Diagnostic`] that carries
//! its source text. Stages collect problems; only `lib.rs` renders them.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use crate::load::source::{SourceMap, Span};

/// One thing wrong with the input.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Stable code, e.g. `rcompose::unknown_key`.
    pub code: &'static str,
    pub message: String,
    pub span: Option<Span>,
    /// Text shown under the caret.
    pub label: Option<String>,
    pub help: Option<String>,
}

impl Problem {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Problem { code, message: message.into(), span: None, label: None, help: None }
    }

    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    pub fn at_opt(mut self, span: Option<Span>) -> Self {
        if self.span.is_none() {
            self.span = span;
        }
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Problems gathered by a stage; non-empty when returned as an error.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    pub fn push(&mut self, p: Problem) {
        self.0.push(p);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn extend(&mut self, other: Problems) {
        self.0.extend(other.0);
    }

    /// `Ok(value)` when nothing was reported.
    pub fn into_result<T>(self, value: T) -> Result<T, Problems> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl From<Problem> for Problems {
    fn from(p: Problem) -> Self {
        Problems(vec![p])
    }
}

/// A [`Problem`] joined with the text it points into, ready for miette.
#[derive(Debug)]
pub struct SourceDiagnostic {
    problem: Problem,
    source: Option<NamedSource<Arc<String>>>,
    location: Option<String>,
}

impl SourceDiagnostic {
    pub fn new(problem: Problem, sources: &SourceMap) -> Self {
        let (source, location) = match problem.span {
            Some(span) => {
                let file = sources.get(span.file);
                (Some(NamedSource::new(file.name.clone(), Arc::clone(&file.text)).with_language("yaml")), Some(sources.location(span)))
            }
            None => (None, None),
        };
        SourceDiagnostic { problem, source, location }
    }
}

impl fmt::Display for SourceDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(loc) => write!(f, "{loc}: {}", self.problem.message),
            None => f.write_str(&self.problem.message),
        }
    }
}

impl std::error::Error for SourceDiagnostic {}

impl Diagnostic for SourceDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.problem.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.problem.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.problem.span?;
        self.source.as_ref()?;
        let label = LabeledSpan::new(self.problem.label.clone(), span.start, span.len().max(1));
        Some(Box::new(std::iter::once(label)))
    }
}

/// Renders problems as text the way the CLI prints them (no colour, fixed width).
pub fn render_plain(problems: &Problems, sources: &SourceMap) -> String {
    let handler = miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor()).with_width(100);
    let mut out = String::new();
    for p in &problems.0 {
        let d = SourceDiagnostic::new(p.clone(), sources);
        let _ = handler.render_report(&mut out, &d);
    }
    out
}
