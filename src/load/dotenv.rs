//! The dotenv dialect compose files use for `.env`, `--env-file` and
//! `env_file`: `KEY=VALUE` lines (`export ` allowed, `KEY: VALUE` too),
//! `#` comments, unquoted values that may hold spaces and end at a ` #`
//! comment, single quotes taken literally, double quotes with `\n`, `\t`,
//! `\"` and `\\` escapes, both quotes spanning lines, and `${VAR:-default}`
//! interpolation in unquoted and double-quoted values against the process
//! environment first, then the file's earlier lines. `format: raw` takes
//! every value as written after the first `=` (spaces, quotes and `#`
//! included) and refuses a name holding whitespace, as docker compose v2
//! does. Pure text in, pairs out; no I/O.

use super::env::Vars;
use super::interpolate::{interpolate, Lookup};

/// How to read values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Quotes, escapes and interpolation as described above.
    Dotenv,
    /// Everything after `=` as written, quotes included.
    Raw,
}

/// Why a file could not be read, with the line it happened on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

/// Earlier lines of the file, looked up after the process environment.
struct Scope<'a> {
    process: &'a Vars,
    file: &'a Vars,
}

impl Lookup for Scope<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.process.get(name).or_else(|| self.file.get(name)).map(String::as_str)
    }
}

/// Parses `text`; `process` is the environment interpolation sees first.
pub fn parse(text: &str, format: Format, process: &Vars) -> Result<Vars, ParseError> {
    if format == Format::Raw {
        return parse_raw(text, process);
    }
    let mut vars = Vars::new();
    let (mut pos, mut line) = (0, 1);
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let (next_pos, next_line) = (end + 1, line + 1);
        let current = &text[pos..end];
        let trimmed = current.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            (pos, line) = (next_pos, next_line);
            continue;
        }
        let body = trimmed.strip_prefix("export ").map_or(trimmed, str::trim_start);
        let Some(split) = body.find(['=', ':']) else {
            // A bare name takes its value from the environment, if any.
            let name = body.trim();
            check_name(name, line)?;
            if let Some(v) = process.get(name) {
                vars.insert(name.to_string(), v.clone());
            }
            (pos, line) = (next_pos, next_line);
            continue;
        };
        let name = body[..split].trim();
        check_name(name, line)?;
        let after = body[split + 1..].trim_start_matches([' ', '\t']);
        let value_at = end - after.len();
        let scope = Scope { process, file: &vars };
        let (value, resume, lines) = match after.chars().next() {
            Some(quote @ ('\'' | '"')) => quoted(text, value_at, quote, line, &scope)?,
            _ => (expand(strip_comment(after).trim_end(), &scope, line)?, next_pos, 1),
        };
        vars.insert(name.to_string(), value);
        (pos, line) = (resume, line + lines);
    }
    Ok(vars)
}

/// `format: raw`: one `NAME=value` a line, the value verbatim; leading
/// blanks, blank lines and `#` lines are skipped; a bare name takes its
/// value from the environment.
fn parse_raw(text: &str, process: &Vars) -> Result<Vars, ParseError> {
    let mut vars = Vars::new();
    for (i, current) in text.split('\n').enumerate() {
        let line = i + 1;
        let current = current.strip_suffix('\r').unwrap_or(current).trim_start();
        if current.is_empty() || current.starts_with('#') {
            continue;
        }
        let (name, value) = match current.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (current, None),
        };
        if name.is_empty() {
            return Err(ParseError { line, message: "no variable name before `=`".into() });
        }
        if name.contains([' ', '\t']) {
            return Err(ParseError { line, message: format!("variable name `{name}` contains whitespace") });
        }
        match value {
            Some(v) => {
                vars.insert(name.to_string(), v.to_string());
            }
            None => {
                if let Some(v) = process.get(name) {
                    vars.insert(name.to_string(), v.clone());
                }
            }
        }
    }
    Ok(vars)
}

fn check_name(name: &str, line: usize) -> Result<(), ParseError> {
    let ok = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(ParseError { line, message: format!("`{name}` is not a variable name") })
    }
}

/// A quoted value opening at byte `at` of `text`; it may run over lines.
/// Returns the value, where the next line starts, and how many lines the
/// value took.
fn quoted(text: &str, at: usize, quote: char, line: usize, scope: &Scope) -> Result<(String, usize, usize), ParseError> {
    let mut inner = String::new();
    let mut chars = text[at + 1..].char_indices();
    let mut lines = 1;
    while let Some((i, c)) = chars.next() {
        match c {
            c if c == quote => {
                let close = at + 1 + i;
                let resume = text[close..].find('\n').map_or(text.len(), |n| close + n + 1);
                let value = if quote == '"' { expand(&inner, scope, line)? } else { inner };
                return Ok((value, resume, lines));
            }
            '\\' if quote == '"' => match chars.next().map(|(_, e)| e) {
                Some('n') => inner.push('\n'),
                Some('t') => inner.push('\t'),
                Some('r') => inner.push('\r'),
                Some('"') => inner.push('"'),
                Some('\\') => inner.push('\\'),
                // Kept for interpolation to read as a literal `$`.
                Some('$') => inner.push_str("$$"),
                Some(other) => {
                    inner.push('\\');
                    inner.push(other);
                }
                None => inner.push('\\'),
            },
            '\n' => {
                lines += 1;
                inner.push(c);
            }
            _ => inner.push(c),
        }
    }
    Err(ParseError { line, message: format!("the {quote} quote is never closed") })
}

/// An unquoted value ends at a `#` that follows whitespace.
fn strip_comment(text: &str) -> &str {
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            return &text[..i];
        }
    }
    text
}

fn expand(text: &str, scope: &Scope, line: usize) -> Result<String, ParseError> {
    let mut unset = Vec::new();
    interpolate(text, scope, &mut unset).map_err(|e| ParseError { line, message: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<(String, String)> {
        let process: Vars = [("SHELL_VAR".to_string(), "from-shell".to_string())].into_iter().collect();
        parse(text, Format::Dotenv, &process).unwrap().into_iter().collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect()
    }

    #[test]
    fn the_compose_dialect() {
        let text = "# a comment\n\nGREETING=Env File\nexport EXPORTED=yes\nCOLON: value\nSPACED = padded  \nINLINE=value # a comment\nHASH=a#b\nSINGLE='literal ${SHELL_VAR} \\n'\nDOUBLE=\"tab\\there \\\"q\\\" ${SHELL_VAR}\"\nEMPTY=\n";
        assert_eq!(
            read(text),
            pairs(&[
                ("GREETING", "Env File"),
                ("EXPORTED", "yes"),
                ("COLON", "value"),
                ("SPACED", "padded"),
                ("INLINE", "value"),
                ("HASH", "a#b"),
                ("SINGLE", "literal ${SHELL_VAR} \\n"),
                ("DOUBLE", "tab\there \"q\" from-shell"),
                ("EMPTY", ""),
            ])
        );
    }

    #[test]
    fn interpolation_sees_the_shell_then_earlier_lines() {
        let text = "TAG=1.2\nIMAGE=default_env:${TAG:-fallback}\nOTHER=${MISSING:-fallback}\nSHELL=$SHELL_VAR\n";
        assert_eq!(read(text), pairs(&[("TAG", "1.2"), ("IMAGE", "default_env:1.2"), ("OTHER", "fallback"), ("SHELL", "from-shell")]));
    }

    #[test]
    fn quotes_may_span_lines_and_lines_after_them_still_count() {
        let text = "CERT=\"line one\nline two\"\nNEXT=after\nSQ='a\nb'\nLAST=end";
        assert_eq!(read(text), pairs(&[("CERT", "line one\nline two"), ("NEXT", "after"), ("SQ", "a\nb"), ("LAST", "end")]));
    }

    #[test]
    fn raw_keeps_everything_after_the_equals_sign() {
        // docker compose v2.40.3 reads these values byte for byte.
        let process: Vars = [("FROM_SHELL".to_string(), "shell".to_string())].into_iter().collect();
        let text = "A='quoted'\nB=\"x ${Y}\"\n  C=  spaced  \nD=a # not a comment\n# comment\nE=a=b\nFROM_SHELL\nUNSET\nF='open\r\n";
        let got: Vec<(String, String)> = parse(text, Format::Raw, &process).unwrap().into_iter().collect();
        assert_eq!(
            got,
            pairs(&[
                ("A", "'quoted'"),
                ("B", "\"x ${Y}\""),
                ("C", "  spaced  "),
                ("D", "a # not a comment"),
                ("E", "a=b"),
                ("FROM_SHELL", "shell"),
                ("F", "'open")
            ])
        );
        for bad in ["export A=1\n", "A =1\n", "A: 1\n", "=1\n", "two words\n"] {
            assert_eq!(parse(bad, Format::Raw, &Vars::new()).unwrap_err().line, 1, "{bad}");
        }
    }

    #[test]
    fn bad_lines_name_their_line() {
        assert_eq!(parse("A=1\nnot a name=2\n", Format::Dotenv, &Vars::new()).unwrap_err().line, 2);
        assert_eq!(parse("A=1\nB=\"open\n", Format::Dotenv, &Vars::new()).unwrap_err(), ParseError { line: 2, message: "the \" quote is never closed".into() });
        let required = parse("A=${TAG:?}\n", Format::Dotenv, &Vars::new()).unwrap_err();
        assert_eq!(required.message, "required variable TAG is missing a value");
    }
}
