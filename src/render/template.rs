//! The `--format` values the docker CLI takes for listings: `table`,
//! `json`, `table TEMPLATE` and a bare `TEMPLATE`, for the small part of Go's
//! template language that such formats use: `{{.Field}}`, `{{json .}}` and
//! `{{json .Field}}` between literal text, with `\t` and `\n` escapes.
//!
//! Owns: parsing a format, filling it from rows given as JSON objects, and
//! aligning table columns as Go's `tabwriter` does (cells padded by three
//! spaces, at least ten wide). No I/O.

use serde_json::Value;

use super::ps::go_json;

/// A parsed `--format`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns under a header line.
    Table(Vec<Piece>),
    /// One JSON object per line.
    Json,
    /// The template once per row, each followed by a newline.
    Lines(Vec<Piece>),
}

/// Literal text or one action of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// `{{.Field}}`
    Field(String),
    /// `{{json .}}` (`None`) or `{{json .Field}}`.
    Json(Option<String>),
}

impl Format {
    /// Reads `text`; `default_table` is the template plain `table` means.
    pub fn parse(text: &str, default_table: &str) -> Result<Format, String> {
        let text = text.trim_matches(' ');
        if text == "json" {
            return Ok(Format::Json);
        }
        if text == "table" || text.is_empty() {
            return Ok(Format::Table(pieces(default_table)?));
        }
        match text.strip_prefix("table") {
            Some(rest) if rest.starts_with([' ', '\t']) || rest.starts_with("\\t") => Ok(Format::Table(pieces(rest.trim_matches(' '))?)),
            _ => Ok(Format::Lines(pieces(text)?)),
        }
    }

    /// The output for `rows`; `headers` names the header of each field a
    /// table can show (others show `<no value>`, as in the docker CLI).
    pub fn render(&self, rows: &[Value], headers: &[(&str, &str)]) -> String {
        match self {
            Format::Json => rows.iter().map(|r| go_json(r) + "\n").collect(),
            Format::Lines(pieces) => rows.iter().map(|r| fill(pieces, r) + "\n").collect(),
            Format::Table(pieces) => {
                let header: serde_json::Map<String, Value> = headers.iter().map(|(k, v)| ((*k).to_string(), Value::String((*v).to_string()))).collect();
                let mut lines = vec![fill(pieces, &Value::Object(header))];
                lines.extend(rows.iter().map(|r| fill(pieces, r)));
                align(&lines.join("\n"))
            }
        }
    }
}

fn pieces(template: &str) -> Result<Vec<Piece>, String> {
    let template = template.replace("\\t", "\t").replace("\\n", "\n");
    let mut out = Vec::new();
    let mut rest = template.as_str();
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            out.push(Piece::Text(rest[..start].to_string()));
        }
        let end = rest[start..].find("}}").ok_or_else(|| format!("unclosed action in template: {template:?}"))? + start;
        let action = rest[start + 2..end].trim_matches(|c: char| c == ' ' || c == '-');
        out.push(
            action_piece(action)
                .ok_or_else(|| format!("unsupported template action {{{{{action}}}}}: only {{{{.Field}}}} and {{{{json .Field}}}} are understood"))?,
        );
        rest = &rest[end + 2..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest.to_string()));
    }
    Ok(out)
}

fn action_piece(action: &str) -> Option<Piece> {
    let field = |s: &str| s.strip_prefix('.').filter(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).map(str::to_string);
    match action.strip_prefix("json ") {
        Some(arg) if arg.trim() == "." => Some(Piece::Json(None)),
        Some(arg) => field(arg.trim()).map(|f| Piece::Json(Some(f))),
        None => field(action).map(Piece::Field),
    }
}

fn fill(pieces: &[Piece], row: &Value) -> String {
    let mut out = String::new();
    for p in pieces {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Field(f) => out.push_str(&row.get(f).map(go_text).unwrap_or_else(|| "<no value>".into())),
            Piece::Json(None) => out.push_str(&go_json(row)),
            Piece::Json(Some(f)) => out.push_str(&go_json(row.get(f).unwrap_or(&Value::Null))),
        }
    }
    out
}

/// A value as Go's `fmt` prints it: lists in brackets and structs in
/// braces, their items separated by spaces.
fn go_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "<nil>".into(),
        Value::Array(items) => format!("[{}]", items.iter().map(go_text).collect::<Vec<_>>().join(" ")),
        Value::Object(fields) => format!("{{{}}}", fields.values().map(go_text).collect::<Vec<_>>().join(" ")),
        other => other.to_string(),
    }
}

/// Pads every tab-ended cell to its column's width (widest cell plus three,
/// at least ten); the last cell of each line is left as is.
fn align(text: &str) -> String {
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    let columns = lines.iter().map(|l| l.len().saturating_sub(1)).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..columns).map(|i| lines.iter().filter(|l| l.len() > i + 1).map(|l| l[i].chars().count() + 3).max().unwrap_or(0).max(10)).collect();
    let mut out = String::new();
    for line in &lines {
        for (i, cell) in line.iter().enumerate() {
            match i + 1 < line.len() {
                true => out.push_str(&format!("{cell:w$}", w = widths[i])),
                false => out.push_str(cell),
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_and_json_fill_a_line_per_row() {
        let f = Format::parse("{{.Name}} {{ .ExitCode }} {{.Publishers}}", "").unwrap();
        let row = json!({"Name": "p-web-1", "ExitCode": 3, "Publishers": [{"URL": "::", "TargetPort": 53, "PublishedPort": 5353, "Protocol": "udp"}]});
        assert_eq!(f.render(std::slice::from_ref(&row), &[]), "p-web-1 3 [{:: 53 5353 udp}]\n");
        let f = Format::parse("{{json .Publishers}}", "").unwrap();
        assert_eq!(f.render(&[row], &[]), "[{\"URL\":\"::\",\"TargetPort\":53,\"PublishedPort\":5353,\"Protocol\":\"udp\"}]\n");
    }

    #[test]
    fn tables_align_like_tabwriter() {
        // What v2 printed for `ps -a --format 'table {{.Name}}\t{{.ExitCode}}\t{{.Publishers}}'`.
        let f = Format::parse("table {{.Name}}\\t{{.ExitCode}}\\t{{.Publishers}}", "").unwrap();
        let rows = [json!({"Name": "psv2-job-1", "ExitCode": 0, "Publishers": []}), json!({"Name": "psv2-oneoff", "ExitCode": 3, "Publishers": []})];
        assert_eq!(
            f.render(&rows, &[("Name", "NAME")]),
            "NAME          <no value>   <no value>\npsv2-job-1    0            []\npsv2-oneoff   3            []\n"
        );
        // An empty listing still has its header.
        let f = Format::parse("table", "{{.Name}}\t{{.Image}}").unwrap();
        assert_eq!(f.render(&[], &[("Name", "NAME"), ("Image", "IMAGE")]), "NAME      IMAGE\n");
    }

    #[test]
    fn unknown_actions_are_refused() {
        assert!(Format::parse("{{range .Labels}}x{{end}}", "").is_err());
        assert_eq!(Format::parse("json", "").unwrap(), Format::Json);
    }
}
