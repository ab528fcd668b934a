//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rcompose::load::{self, LoadOptions};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Loader options for one directory with a fixed, minimal environment.
pub fn options(dir: &Path, vars: &[(&str, &str)]) -> LoadOptions {
    LoadOptions { cwd: dir.to_path_buf(), environ: vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), ..LoadOptions::default() }
}

pub fn load_dir(dir: &Path, vars: &[(&str, &str)]) -> Result<load::Loaded, load::LoadFailure> {
    load::load(&options(dir, vars))
}

/// The rendered diagnostics of a failed load.
pub fn rendered(failure: &load::LoadFailure) -> String {
    rcompose::diag::render_plain(&failure.problems, &failure.sources)
}

/// Runs the rcompose binary in `dir` with a clean environment.
pub fn rcompose(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rcompose"));
    cmd.current_dir(dir).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default()).env("HOME", "/nonexistent");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.args(args).output().expect("run rcompose")
}

/// Writes files into a fresh temporary directory.
pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix("rcompose-test").tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// Compares `actual` with the file `expected`, or rewrites it when
/// RCOMPOSE_BLESS=1.
pub fn expect_file(expected: &Path, actual: &str) -> Result<(), String> {
    if std::env::var("RCOMPOSE_BLESS").as_deref() == Ok("1") {
        std::fs::write(expected, actual).unwrap();
        return Ok(());
    }
    let want = std::fs::read_to_string(expected).map_err(|e| format!("{}: {e} (run with RCOMPOSE_BLESS=1 to create it)", expected.display()))?;
    if want == actual {
        Ok(())
    } else {
        Err(format!("{} differs:\n--- expected\n{want}\n--- actual\n{actual}", expected.display()))
    }
}
