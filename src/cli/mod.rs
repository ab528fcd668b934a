//! The command line: flags as docker compose spells them, and dispatch.
//!
//! Owns: clap definitions (which only validate), turning global flags and
//! environment variables into [`LoadOptions`], logging set-up, and calling
//! one command module per subcommand.

pub mod config;
pub mod schema;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::load::{self, LoadOptions, Loaded};
use crate::Error;

#[derive(Parser, Debug)]
#[command(name = "rcompose", version, about = "Define and run multi-container applications (compose-compatible)")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Args, Debug, Clone, Default)]
pub struct GlobalArgs {
    /// Compose configuration files (repeatable; default: compose.yaml and its override)
    #[arg(short = 'f', long = "file", global = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Project name (default: `name:` in the file, else the directory name)
    #[arg(short = 'p', long = "project-name", global = true, value_name = "NAME")]
    pub project_name: Option<String>,
    /// Alternate working directory (default: the first file's directory)
    #[arg(long = "project-directory", global = true, value_name = "DIR")]
    pub project_directory: Option<PathBuf>,
    /// Alternate environment files (default: .env in the project directory)
    #[arg(long = "env-file", global = true, value_name = "FILE")]
    pub env_files: Vec<PathBuf>,
    /// Profiles to enable (repeatable)
    #[arg(id = "profile", long = "profile", global = true, value_name = "PROFILE")]
    pub profiles: Vec<String>,
    /// More logging (-v info, -vv debug, -vvv trace); RUST_LOG overrides
    #[arg(short = 'v', long = "verbose", global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Parse, resolve and render the compose file in canonical format
    Config(config::ConfigArgs),
    /// Print the JSON Schema of the compose files rcompose accepts
    Schema(schema::SchemaArgs),
    /// Show version information
    Version,
}

impl GlobalArgs {
    /// Flags plus COMPOSE_* environment variables, as loader options.
    pub fn load_options(&self) -> Result<LoadOptions, Error> {
        let cwd = std::env::current_dir().map_err(|e| miette::miette!("cannot read the current directory: {e}"))?;
        let environ = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        Ok(LoadOptions {
            files: self.files.clone(),
            project_directory: self.project_directory.clone(),
            project_name: self.project_name.clone(),
            env_files: self.env_files.clone(),
            profiles: self.profiles.iter().flat_map(|p| p.split(',')).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
            cwd,
            environ,
        })
    }

    /// Loads the project and prints loader warnings.
    pub fn load(&self) -> Result<Loaded, Error> {
        let loaded = load::load(&self.load_options()?)?;
        for w in &loaded.warnings {
            let d = crate::diag::SourceDiagnostic::new(w.clone(), &loaded.sources);
            tracing::warn!("{d}");
        }
        Ok(loaded)
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).without_time().try_init();
}

/// Runs one command line.
pub fn main<I: IntoIterator<Item = OsString>>(args: I) -> Result<ExitCode, Error> {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return Ok(ExitCode::from(if e.use_stderr() { 2 } else { 0 }));
        }
    };
    init_logging(cli.global.verbose);
    match &cli.command {
        Command::Config(args) => config::run(&cli.global, args),
        Command::Schema(args) => schema::run(args),
        Command::Version => {
            println!("rcompose version {}", env!("CARGO_PKG_VERSION"));
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
