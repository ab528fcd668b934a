//! Variables for interpolation: the shell environment over `.env` files.
//!
//! Owns: reading `.env` / `--env-file` files and service `env_file`s
//! (compose's dotenv dialect, `dotenv`), and the precedence between them and the process
//! environment. Reads files; decides nothing else.

use std::path::Path;

use indexmap::IndexMap;

pub use super::dotenv::Format;
use crate::diag::Problem;

pub type Vars = IndexMap<String, String>;

/// Reads a dotenv file (compose's dialect, see [`dotenv`](super::dotenv))
/// into ordered pairs, interpolating against `process` first. `None` when
/// the file is absent.
pub fn read_env_file(path: &Path, format: Format, process: &Vars) -> Result<Option<Vars>, Problem> {
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(path).map_err(|e| Problem::new("rcompose::env_file", format!("failed to read env file {}: {e}", path.display())))?;
    super::dotenv::parse(&text, format, process).map(Some).map_err(|e| {
        Problem::new("rcompose::env_file", format!("failed to read env file {}: line {}: {}", path.display(), e.line, e.message))
            .help("each line should be KEY=VALUE; values may be quoted with ' or \"")
    })
}

/// The format an `env_file` entry names (`raw`, else compose's dotenv).
pub fn format_named(name: Option<&str>) -> Format {
    if name == Some("raw") {
        Format::Raw
    } else {
        Format::Dotenv
    }
}

/// The variables interpolation sees: dotenv files first, then the process
/// environment, which wins.
pub fn interpolation_vars(process: &Vars, dotenv: Option<Vars>) -> Vars {
    let mut vars = dotenv.unwrap_or_default();
    for (k, v) in process {
        vars.insert(k.clone(), v.clone());
    }
    vars
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dotenv_and_process_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, "# comment\nA=1\nB=\"two words\"\nexport C=3\n").unwrap();
        let file = read_env_file(&path, Format::Dotenv, &Vars::new()).unwrap().unwrap();
        assert_eq!(file.get("B").map(String::as_str), Some("two words"));
        assert_eq!(file.get("C").map(String::as_str), Some("3"));
        let process: Vars = [("A".to_string(), "shell".to_string())].into_iter().collect();
        let vars = interpolation_vars(&process, Some(file));
        assert_eq!(vars.get("A").map(String::as_str), Some("shell"));
        assert!(read_env_file(&dir.path().join("missing"), Format::Dotenv, &Vars::new()).unwrap().is_none());
    }
}
