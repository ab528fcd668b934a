//! Deserialization errors that carry a span and a help line.
//!
//! Owns: [`DeError`] (what serde reports, in compose's words), the marker
//! custom `Deserialize` impls use to pass help text through serde, and the
//! did-you-mean for unknown keys. It finds no span itself; the deserializer
//! attaches one.

use std::fmt;

use serde::de;

use crate::diag::Problem;
use crate::load::source::Span;

/// A deserialization error with the span it happened at.
#[derive(Debug, Clone, PartialEq)]
pub struct DeError {
    pub code: &'static str,
    pub message: String,
    pub span: Option<Span>,
    pub help: Option<String>,
}

impl DeError {
    pub(super) fn or_span(mut self, span: Span) -> Self {
        if self.span.is_none() {
            self.span = Some(span);
        }
        self
    }

    pub fn into_problem(self) -> Problem {
        let mut p = Problem::new(self.code, self.message).at_opt(self.span);
        p.help = self.help;
        p
    }

    /// An error with a message and help, for custom `Deserialize` impls.
    pub fn invalid(message: impl Into<String>, help: impl Into<String>) -> Self {
        DeError { code: "rcompose::invalid_value", message: message.into(), span: None, help: Some(help.into()) }
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        let message = msg.to_string();
        // Custom impls smuggle help text after a marker.
        match message.split_once(HELP_MARKER) {
            Some((m, h)) => DeError { code: "rcompose::invalid_value", message: m.to_string(), span: None, help: Some(h.to_string()) },
            None => DeError { code: "rcompose::invalid_value", message, span: None, help: None },
        }
    }

    fn invalid_type(unexp: de::Unexpected, exp: &dyn de::Expected) -> Self {
        DeError { code: "rcompose::wrong_type", message: format!("expected {exp}, found {}", describe(&unexp)), span: None, help: None }
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        let visible: Vec<&str> = expected.iter().copied().filter(|f| !f.starts_with("__")).collect();
        let help = match did_you_mean(field, &visible) {
            Some(s) => format!("did you mean `{s}`? Custom keys must start with `x-`"),
            None => format!("known keys here: {}; custom keys must start with `x-`", visible.join(", ")),
        };
        DeError { code: "rcompose::unknown_key", message: format!("unknown key `{field}`"), span: None, help: Some(help) }
    }

    fn missing_field(field: &'static str) -> Self {
        DeError { code: "rcompose::missing_key", message: format!("missing required key `{field}`"), span: None, help: Some(format!("add `{field}:` here")) }
    }
}

/// Separates message from help in `de::Error::custom` strings.
pub const HELP_MARKER: &str = "\u{1}help:";

/// `custom` error text carrying a help line.
pub fn with_help(message: impl fmt::Display, help: impl fmt::Display) -> String {
    format!("{message}{HELP_MARKER}{help}")
}

fn describe(u: &de::Unexpected) -> String {
    match u {
        de::Unexpected::Map => "a mapping".into(),
        de::Unexpected::Seq => "a list".into(),
        de::Unexpected::Unit | de::Unexpected::Option => "null".into(),
        other => other.to_string(),
    }
}

/// The closest name within edit distance 3, if any.
pub fn did_you_mean<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::levenshtein(name, c), *c))
        .filter(|(d, c)| *d <= 2.max(name.len() / 4).min(3) && !c.is_empty())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}
