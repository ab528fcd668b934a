//! `rcompose version [--short] [--format pretty|json]`: rcompose's own
//! version in docker compose v2's shapes (`--short` the bare number, JSON
//! `{"version":"vX.Y.Z"}`), never a docker compose version it is not.

use std::process::ExitCode;

use crate::Error;

#[derive(clap::Args, Debug, Default)]
pub struct VersionArgs {
    /// Format the output: pretty or json (anything else is pretty, as in v2)
    #[arg(short, long, default_value = "pretty")]
    pub format: String,
    /// Shows only the version number
    #[arg(long)]
    pub short: bool,
}

/// The text printed for these flags and `version` (e.g. `0.1.0`).
pub fn text(args: &VersionArgs, version: &str) -> String {
    if args.short {
        format!("{version}\n")
    } else if args.format == "json" {
        format!("{}\n", serde_json::json!({ "version": format!("v{version}") }))
    } else {
        format!("rcompose version {version}\n")
    }
}

pub fn run(args: &VersionArgs) -> Result<ExitCode, Error> {
    super::print_stdout(&text(args, env!("CARGO_PKG_VERSION")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2s_shapes_with_our_version() {
        // v2.40 prints "Docker Compose version v2.40.3", "2.40.3" with
        // --short (also with --format json), {"version":"v2.40.3"} with
        // --format json, and the pretty line for any other format.
        let args = |format: &str, short: bool| VersionArgs { format: format.into(), short };
        assert_eq!(text(&args("pretty", false), "0.1.0"), "rcompose version 0.1.0\n");
        assert_eq!(text(&args("pretty", true), "0.1.0"), "0.1.0\n");
        assert_eq!(text(&args("json", true), "0.1.0"), "0.1.0\n");
        assert_eq!(text(&args("json", false), "0.1.0"), "{\"version\":\"v0.1.0\"}\n");
        assert_eq!(text(&args("yaml", false), "0.1.0"), "rcompose version 0.1.0\n");
    }
}
