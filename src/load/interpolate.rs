//! Compose variable interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`,
//! `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`,
//! `${VAR+alt}`, nested expressions in the default, and `$$` as a literal `$`.
//!
//! Owns: the substitution rules and applying them to every scalar value of a
//! [`Node`] tree. Keys are never interpolated. No I/O: variables come from a
//! lookup the caller builds (shell environment over `.env`).

use super::node::{Kind, Node};
use crate::diag::{Problem, Problems};

/// Where variable values come from.
pub trait Lookup {
    fn get(&self, name: &str) -> Option<&str>;
}

impl Lookup for indexmap::IndexMap<String, String> {
    fn get(&self, name: &str) -> Option<&str> {
        indexmap::IndexMap::get(self, name).map(String::as_str)
    }
}

/// What went wrong in one template.
#[derive(Debug, PartialEq)]
pub enum TemplateError {
    /// `${` without a valid name or closing brace.
    Invalid(String),
    /// `${VAR:?msg}` / `${VAR?msg}` with VAR missing.
    Required { name: String, message: String },
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TemplateError::Invalid(t) => write!(f, "invalid interpolation format in `{t}`"),
            TemplateError::Required { name, message } if message.is_empty() => write!(f, "required variable {name} is missing a value"),
            TemplateError::Required { name, message } => write!(f, "required variable {name} is missing a value: {message}"),
        }
    }
}

/// Substitutes variables in `text`. Unset variables without a default become
/// empty and are reported through `unset`.
pub fn interpolate(text: &str, vars: &dyn Lookup, unset: &mut Vec<String>) -> Result<String, TemplateError> {
    if !text.contains('$') {
        return Ok(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c != b'$' {
            let ch = text[i..].chars().next().expect("in bounds");
            out.push(ch);
            i += ch.len_utf8();
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'$') => {
                out.push('$');
                i += 2;
            }
            Some(b'{') => {
                let close = matching_brace(text, i + 2).ok_or_else(|| TemplateError::Invalid(text.to_string()))?;
                let inner = &text[i + 2..close];
                out.push_str(&expand_braced(inner, text, vars, unset)?);
                i = close + 1;
            }
            Some(&n) if is_name_start(n) => {
                let end = name_end(bytes, i + 1);
                let name = &text[i + 1..end];
                out.push_str(&lookup_or_blank(name, vars, unset));
                i = end;
            }
            _ => {
                out.push('$');
                i += 1;
            }
        }
    }
    Ok(out)
}

fn is_name_start(b: u8) -> bool {
    b == b'_' || b.is_ascii_alphabetic()
}

fn name_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    while end < bytes.len() && (bytes[end] == b'_' || bytes[end].is_ascii_alphanumeric()) {
        end += 1;
    }
    end
}

/// Index of the `}` that closes a `${` whose content starts at `start`.
fn matching_brace(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 1;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'$') => i += 1,
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn lookup_or_blank(name: &str, vars: &dyn Lookup, unset: &mut Vec<String>) -> String {
    match vars.get(name) {
        Some(v) => v.to_string(),
        None => {
            if !unset.iter().any(|n| n == name) {
                unset.push(name.to_string());
            }
            String::new()
        }
    }
}

fn expand_braced(inner: &str, whole: &str, vars: &dyn Lookup, unset: &mut Vec<String>) -> Result<String, TemplateError> {
    let bytes = inner.as_bytes();
    if bytes.is_empty() || !is_name_start(bytes[0]) {
        return Err(TemplateError::Invalid(whole.to_string()));
    }
    let end = name_end(bytes, 0);
    let name = &inner[..end];
    let rest = &inner[end..];
    if rest.is_empty() {
        return Ok(lookup_or_blank(name, vars, unset));
    }
    let (colon, op_rest) = match rest.strip_prefix(':') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let mut chars = op_rest.chars();
    let op = chars.next().ok_or_else(|| TemplateError::Invalid(whole.to_string()))?;
    let arg = chars.as_str();
    let value = vars.get(name);
    // With a colon, an empty value counts as missing.
    let present = match value {
        Some(v) => !colon || !v.is_empty(),
        None => false,
    };
    match op {
        '-' => {
            if present {
                Ok(value.unwrap_or_default().to_string())
            } else {
                interpolate(arg, vars, unset)
            }
        }
        '+' => {
            if present {
                interpolate(arg, vars, unset)
            } else {
                Ok(String::new())
            }
        }
        '?' => {
            if present {
                Ok(value.unwrap_or_default().to_string())
            } else {
                let message = interpolate(arg, vars, unset)?;
                Err(TemplateError::Required { name: name.to_string(), message })
            }
        }
        _ => Err(TemplateError::Invalid(whole.to_string())),
    }
}

/// Interpolates every scalar value in `node`, collecting problems and the
/// names of unset variables.
pub fn interpolate_tree(node: &mut Node, vars: &dyn Lookup, problems: &mut Problems, unset: &mut Vec<String>) {
    match &mut node.kind {
        Kind::Scalar(s) => {
            if !s.text.contains('$') {
                return;
            }
            match interpolate(&s.text, vars, unset) {
                Ok(v) => {
                    // An interpolated value is text; typed fields parse it.
                    s.text = v;
                    s.plain = false;
                }
                Err(e) => problems.push(template_problem(e).at(node.span)),
            }
        }
        Kind::Seq(items) => {
            for item in items {
                interpolate_tree(item, vars, problems, unset);
            }
        }
        Kind::Map(map) => {
            for entry in map.iter_mut() {
                interpolate_tree(&mut entry.value, vars, problems, unset);
            }
        }
    }
}

pub fn template_problem(e: TemplateError) -> Problem {
    match e {
        TemplateError::Invalid(t) => Problem::new("rcompose::invalid_interpolation", format!("invalid interpolation format in `{t}`"))
            .label("cannot interpolate this")
            .help("use `${NAME}`, `${NAME:-default}` or `${NAME:?message}`; write `$$` for a literal `$`"),
        TemplateError::Required { name, message } => {
            let detail = if message.is_empty() { String::new() } else { format!(": {message}") };
            Problem::new("rcompose::required_variable", format!("required variable {name} is missing a value{detail}"))
                .label(format!("needs {name}"))
                .help(format!("set {name} in the environment or in the project's .env file"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indexmap::IndexMap;

    fn vars() -> IndexMap<String, String> {
        [("A", "alpha"), ("EMPTY", ""), ("N", "5")].into_iter().map(|(k, v)| (k.into(), v.into())).collect()
    }

    fn run(t: &str) -> Result<String, TemplateError> {
        interpolate(t, &vars(), &mut Vec::new())
    }

    #[test]
    fn plain_and_braced() {
        assert_eq!(run("$A-${A}/$N").unwrap(), "alpha-alpha/5");
        assert_eq!(run("x${A}y").unwrap(), "xalphay");
        assert_eq!(run("$A_B").unwrap(), "", "name runs to the last name character");
    }

    #[test]
    fn defaults_with_and_without_colon() {
        assert_eq!(run("${MISSING:-d}").unwrap(), "d");
        assert_eq!(run("${EMPTY:-d}").unwrap(), "d");
        assert_eq!(run("${EMPTY-d}").unwrap(), "");
        assert_eq!(run("${MISSING-d}").unwrap(), "d");
        assert_eq!(run("${A:-d}").unwrap(), "alpha");
    }

    #[test]
    fn alternatives() {
        assert_eq!(run("${A:+alt}").unwrap(), "alt");
        assert_eq!(run("${EMPTY:+alt}").unwrap(), "");
        assert_eq!(run("${EMPTY+alt}").unwrap(), "alt");
        assert_eq!(run("${MISSING+alt}").unwrap(), "");
    }

    #[test]
    fn required() {
        assert_eq!(run("${MISSING:?set it}").unwrap_err(), TemplateError::Required { name: "MISSING".into(), message: "set it".into() });
        assert!(run("${EMPTY:?x}").is_err());
        assert_eq!(run("${EMPTY?x}").unwrap(), "");
        assert!(run("${MISSING?x}").is_err());
    }

    #[test]
    fn nested_defaults() {
        assert_eq!(run("${MISSING:-${A}}").unwrap(), "alpha");
        assert_eq!(run("${MISSING:-${OTHER:-deep}}").unwrap(), "deep");
        assert_eq!(run("${MISSING:-a-$N-b}").unwrap(), "a-5-b");
    }

    #[test]
    fn escapes_and_literals() {
        assert_eq!(run("$$A").unwrap(), "$A");
        assert_eq!(run("cost: 5$ ").unwrap(), "cost: 5$ ");
        assert_eq!(run("a$").unwrap(), "a$");
    }

    #[test]
    fn invalid_templates() {
        assert!(matches!(run("${}"), Err(TemplateError::Invalid(_))));
        assert!(matches!(run("${A"), Err(TemplateError::Invalid(_))));
        assert!(matches!(run("${1A}"), Err(TemplateError::Invalid(_))));
        assert!(matches!(run("${A:x}"), Err(TemplateError::Invalid(_))));
    }

    #[test]
    fn unset_names_are_reported_once() {
        let mut unset = Vec::new();
        assert_eq!(interpolate("$X $X ${Y}", &vars(), &mut unset).unwrap(), "  ");
        assert_eq!(unset, vec!["X".to_string(), "Y".to_string()]);
    }
}
