//! Variables for interpolation: the shell environment over `.env` files.
//!
//! Owns: reading `.env` / `--env-file` files and service `env_file`s
//! (via dotenvy), and the precedence between them and the process
//! environment. Reads files; decides nothing else.

use std::path::Path;

use indexmap::IndexMap;

use crate::diag::Problem;

pub type Vars = IndexMap<String, String>;

/// Reads a dotenv file into ordered pairs. `None` when the file is absent.
pub fn read_env_file(path: &Path) -> Result<Option<Vars>, Problem> {
    if !path.exists() {
        return Ok(None);
    }
    let iter = dotenvy::from_path_iter(path).map_err(|e| env_problem(path, &e))?;
    let mut vars = Vars::new();
    for item in iter {
        let (k, v) = item.map_err(|e| env_problem(path, &e))?;
        vars.insert(k, v);
    }
    Ok(Some(vars))
}

fn env_problem(path: &Path, e: &dotenvy::Error) -> Problem {
    let detail = match e {
        dotenvy::Error::LineParse(line, at) => format!("cannot parse line `{line}` at character {at}"),
        dotenvy::Error::Io(io) => io.to_string(),
        other => other.to_string(),
    };
    Problem::new("rcompose::env_file", format!("failed to read env file {}: {detail}", path.display()))
        .help("each line should be KEY=VALUE; quote values that contain spaces or `#`")
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
        let file = read_env_file(&path).unwrap().unwrap();
        assert_eq!(file.get("B").map(String::as_str), Some("two words"));
        assert_eq!(file.get("C").map(String::as_str), Some("3"));
        let process: Vars = [("A".to_string(), "shell".to_string())].into_iter().collect();
        let vars = interpolation_vars(&process, Some(file));
        assert_eq!(vars.get("A").map(String::as_str), Some("shell"));
        assert!(read_env_file(&dir.path().join("missing")).unwrap().is_none());
    }
}
