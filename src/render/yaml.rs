//! A YAML writer for JSON values in the style `docker compose config` prints:
//! two-space indentation, list items indented under their key, strings
//! double-quoted only when a plain scalar would read back as something else,
//! multi-line strings as literal blocks.

use serde_json::Value;

pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) if !m.is_empty() => write_map(&mut out, m, 0),
        Value::Array(a) if !a.is_empty() => write_seq(&mut out, a, 0),
        other => {
            out.push_str(&scalar(other, 0));
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn write_map(out: &mut String, m: &serde_json::Map<String, Value>, level: usize) {
    let mut first = true;
    for (k, v) in m {
        if !first || level > 0 {
            // Entries after the first of an inline (list item) map are indented.
        }
        if !first {
            indent(out, level);
        }
        first = false;
        out.push_str(&key(k));
        out.push(':');
        write_value_after_key(out, v, level);
    }
}

fn write_value_after_key(out: &mut String, v: &Value, level: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            indent(out, level + 2);
            write_map(out, m, level + 2);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            indent(out, level + 2);
            write_seq(out, a, level + 2);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other, level + 2));
            out.push('\n');
        }
    }
}

fn write_seq(out: &mut String, a: &[Value], level: usize) {
    for (i, item) in a.iter().enumerate() {
        if i > 0 {
            indent(out, level);
        }
        out.push_str("- ");
        match item {
            Value::Object(m) if !m.is_empty() => write_map(out, m, level + 2),
            Value::Array(inner) if !inner.is_empty() => write_seq(out, inner, level + 2),
            other => {
                out.push_str(&scalar(other, level + 2));
                out.push('\n');
            }
        }
    }
}

fn key(k: &str) -> String {
    styled(k)
}

/// Go's YAML writer: text that would read back as another type is
/// double-quoted; text that cannot be written plainly is single-quoted,
/// unless it holds control characters (tabs included), then double-quoted.
fn styled(s: &str) -> String {
    if ambiguous(s) || (needs_quotes(s) && s.chars().any(char::is_control)) {
        quote(s)
    } else if needs_quotes(s) {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        s.to_string()
    }
}

/// Would this text, written plainly, read back as null, a boolean or a
/// number?
fn ambiguous(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    s.is_empty()
        || matches!(lower.as_str(), "null" | "~" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | ".inf" | "-.inf" | "+.inf" | ".nan")
        || looks_numeric(s)
}

fn scalar(v: &Value, level: usize) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.contains('\n') && !s.contains('\r') => literal_block(s, level),
        Value::String(s) => styled(s),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
    }
}

fn literal_block(s: &str, level: usize) -> String {
    let chomp = if s.ends_with('\n') { "" } else { "-" };
    let keep_trailing = if s.ends_with("\n\n") { "+" } else { chomp };
    let mut out = format!("|{keep_trailing}");
    for line in s.trim_end_matches('\n').split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&" ".repeat(level));
            out.push_str(line);
        }
    }
    out
}

/// Would this text, written plainly, read back as something other than
/// the same string?
fn needs_quotes(s: &str) -> bool {
    if ambiguous(s) || s.trim() != s {
        return true;
    }
    let first = s.chars().next().expect("non-empty");
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        // `-` alone or followed by a space starts a list item; `-x` is fine.
        let second = s.chars().nth(1);
        let safe_dash = matches!(first, '-' | '?' | ':') && second.is_some_and(|c| c != ' ');
        if !safe_dash {
            return true;
        }
    }
    s.contains(": ") || s.contains(" #") || s.ends_with(':') || s.contains('\t') || s.chars().any(char::is_control)
}

fn looks_numeric(s: &str) -> bool {
    let t = s.strip_prefix(['+', '-']).unwrap_or(s);
    if t.is_empty() {
        return false;
    }
    if t.chars().all(|c| c.is_ascii_digit() || c == '_') && t.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        return true;
    }
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0o")) {
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    // Floats, and YAML 1.1 sexagesimal like 1:30 that older readers take as numbers.
    (t.parse::<f64>().is_ok() && t.chars().any(|c| c.is_ascii_digit()))
        || (t.contains(':') && t.split(':').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())))
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn style_matches_compose() {
        let v = json!({"name": "p", "services": {"web": {"ports": [{"target": 80, "published": "80"}], "expose": ["5432"], "empty": {}, "cmd": ["sh", "-c", "a: b"]}}});
        let text = to_yaml(&v);
        assert_eq!(
            text,
            "name: p\nservices:\n  web:\n    ports:\n      - target: 80\n        published: \"80\"\n    expose:\n      - \"5432\"\n    empty: {}\n    cmd:\n      - sh\n      - -c\n      - 'a: b'\n"
        );
        let back: serde_json::Value = serde_yaml::from_str(&text).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn quote_styles_match_go() {
        let v = json!({"a": "*.tmp", "b": "80", "c": "", "d": " x", "e": "it's: here", "f": "tab\there", "g": "yes"});
        assert_eq!(to_yaml(&v), "a: '*.tmp'\nb: \"80\"\nc: \"\"\nd: ' x'\ne: 'it''s: here'\nf: \"tab\\there\"\ng: \"yes\"\n");
    }

    #[test]
    fn tricky_strings_round_trip() {
        for s in
            ["", " x", "true", "NO", "1.5", "0x1F", "1:30", "- a", "#x", "a #b", "*ref", "multi\nline", "tab\there", "quote\"d", "ends:", "'it's'", "*.tmp"]
        {
            let v = json!({"k": s});
            let back: serde_json::Value = serde_yaml::from_str(&to_yaml(&v)).unwrap();
            assert_eq!(back, v, "{s:?}\n{}", to_yaml(&v));
        }
    }
}
