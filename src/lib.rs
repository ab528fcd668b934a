//! rcompose: a compose-compatible multi-container orchestrator.
//!
//! The pipeline is load → model → graph → plan → apply → report:
//! - [`load`] reads compose files into a typed [`model::Project`], with every
//!   problem pinned to a file, line and column;
//! - [`graph`] orders services by their dependencies;
//! - [`cli`] parses flags and runs commands.
//!
//! Errors are rendered in exactly one place, [`report_error`], which also maps
//! them to exit codes.

pub mod cli;
pub mod diag;
pub mod engine;
pub mod graph;
pub mod images;
pub mod load;
pub mod model;
pub mod progress;
pub mod reconcile;
pub mod render;

use std::ffi::OsString;
use std::process::ExitCode;

use diag::{Problems, SourceDiagnostic};
use load::source::SourceMap;

/// Everything that can end a command unsuccessfully.
#[derive(Debug)]
pub enum Error {
    /// Problems in the user's files, with the sources they point into.
    Input { problems: Problems, sources: SourceMap },
    /// Anything else, already a diagnostic.
    Other(miette::Report),
}

impl From<load::LoadFailure> for Error {
    fn from(f: load::LoadFailure) -> Self {
        Error::Input { problems: f.problems, sources: f.sources }
    }
}

impl From<miette::Report> for Error {
    fn from(r: miette::Report) -> Self {
        Error::Other(r)
    }
}

/// Parses arguments, runs the command, renders any error; returns the exit code.
pub fn run<I: IntoIterator<Item = OsString>>(args: I) -> ExitCode {
    install_error_hook();
    match cli::main(args) {
        Ok(code) => code,
        Err(e) => report_error(e),
    }
}

/// Errors wrap on a terminal; in logs and pipes each stays on one line so
/// that CI output can be searched.
fn install_error_hook() {
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = miette::set_hook(Box::new(move |_| {
        let opts = miette::MietteHandlerOpts::new().wrap_lines(tty);
        let opts = if tty { opts } else { opts.color(false).unicode(false) };
        Box::new(opts.build())
    }));
}

/// Prints an error to stderr through miette and returns its exit code.
pub fn report_error(e: Error) -> ExitCode {
    match e {
        Error::Input { problems, sources } => {
            for p in problems.0 {
                eprintln!("{:?}", miette::Report::new(SourceDiagnostic::new(p, &sources)));
            }
            ExitCode::from(1)
        }
        Error::Other(report) => {
            eprintln!("{report:?}");
            ExitCode::from(1)
        }
    }
}
