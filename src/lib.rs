//! rcompose: a compose-compatible multi-container orchestrator.
//!
//! The pipeline is load → model → graph → plan → apply → report:
//! - [`load`] reads compose files into a typed [`model::Project`], with every
//!   problem pinned to a file, line and column;
//! - [`graph`] orders services by their dependencies;
//! - [`cli`] parses flags and runs commands.
//!
//! Errors stay typed up to [`run`]: each [`Error`] has a [`ErrorKind`], and
//! [`ErrorKind::exit_code`] is the one map from kind to exit code. They are
//! rendered in exactly one place, [`report_error`].

pub mod cli;
pub mod compose;
pub mod diag;
pub mod engine;
pub mod graph;
pub mod images;
pub mod load;
pub mod model;
pub mod progress;
pub mod reconcile;
pub mod render;
#[cfg(test)]
mod testing;

use std::ffi::OsString;
use std::process::ExitCode;

use diag::{Problems, SourceDiagnostic};
use engine::EngineError;
use images::build::BuildError;
use images::pull::PullError;
use load::source::SourceMap;
use reconcile::execute::ExecError;
use reconcile::plan::PlanError;
use reconcile::ready::WaitError;

/// What kind of failure ended a command: the exit code depends on this
/// alone (see [`ErrorKind::exit_code`] and the README's "Exit codes").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The command line: an unknown flag, a bad value, a service that the
    /// project does not have.
    Usage,
    /// The user's files: compose files, `.env`, files named on the command
    /// line.
    Input,
    /// The engine could not be reached (DOCKER_HOST, socket, TLS).
    EngineUnreachable,
    /// The connection to the engine broke, or the engine did not answer in
    /// time: what it did meanwhile is unknown.
    EngineLost,
    /// The engine answered with an error, or is too old for a feature.
    EngineRefused,
    /// The project is not as the command needs: no containers, a container
    /// not running, a missing image, volume or external resource.
    State,
    /// A container or service failed: a dependency exited or is unhealthy,
    /// a build or pull failed, `up --wait` found a service not ready.
    Failed,
    /// Ctrl-C or SIGTERM stopped the command.
    Interrupted,
    /// This machine: writing output, reading the working directory, the
    /// async runtime, signals, the project lock.
    System,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 9] = [
        ErrorKind::Usage,
        ErrorKind::Input,
        ErrorKind::EngineUnreachable,
        ErrorKind::EngineLost,
        ErrorKind::EngineRefused,
        ErrorKind::State,
        ErrorKind::Failed,
        ErrorKind::Interrupted,
        ErrorKind::System,
    ];

    /// The exit code of a command that failed this way. docker compose v2
    /// exits 1 for every failure but an interrupt (130); so does rcompose,
    /// so that scripts written for one work with the other.
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Usage
            | ErrorKind::Input
            | ErrorKind::EngineUnreachable
            | ErrorKind::EngineLost
            | ErrorKind::EngineRefused
            | ErrorKind::State
            | ErrorKind::Failed
            | ErrorKind::System => 1,
            ErrorKind::Interrupted => 130,
        }
    }

    /// The name used in the README's table.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Usage => "usage",
            ErrorKind::Input => "input",
            ErrorKind::EngineUnreachable => "engine-unreachable",
            ErrorKind::EngineLost => "engine-lost",
            ErrorKind::EngineRefused => "engine-refused",
            ErrorKind::State => "state",
            ErrorKind::Failed => "failed",
            ErrorKind::Interrupted => "interrupted",
            ErrorKind::System => "system",
        }
    }
}

/// The exit code that passes a container's (or exec's) exit code through:
/// 0 to 255 as they are; anything else (the engine's -1 for a container
/// that never ran) as 255, never as success.
pub fn container_exit(code: i64) -> ExitCode {
    ExitCode::from(u8::try_from(code).unwrap_or(255))
}

/// Everything that can end a command unsuccessfully, typed up to here.
#[derive(Debug)]
pub enum Error {
    /// Problems in the user's files, with the sources they point into.
    Input {
        problems: Problems,
        sources: SourceMap,
    },
    /// A command line clap rejected (clap renders it).
    Usage(clap::Error),
    Engine(EngineError),
    Plan(PlanError),
    Exec(ExecError),
    Wait(WaitError),
    Build(BuildError),
    Pull(PullError),
    /// Ctrl-C or SIGTERM; the command has already said what it did.
    Interrupted,
    /// Any other failure, as a diagnostic, with its kind.
    Other {
        kind: ErrorKind,
        report: miette::Report,
    },
}

impl Error {
    /// A failure of `kind` described by `report` (usually `miette!(...)`).
    pub fn new(kind: ErrorKind, report: miette::Report) -> Error {
        Error::Other { kind, report }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Input { .. } => ErrorKind::Input,
            Error::Usage(_) => ErrorKind::Usage,
            Error::Engine(e) => engine_kind(e),
            Error::Plan(PlanError::MissingExternalVolume { .. } | PlanError::MissingExternalNetwork { .. }) => ErrorKind::State,
            Error::Plan(PlanError::UnknownService(_)) => ErrorKind::Usage,
            Error::Plan(PlanError::Cycle(_)) => ErrorKind::Input,
            Error::Exec(ExecError::Engine(e)) | Error::Wait(WaitError::Engine(e)) | Error::Build(BuildError::Engine(e)) | Error::Pull(PullError::Engine(e)) => {
                engine_kind(e)
            }
            Error::Exec(ExecError::NoHealthcheck { .. }) => ErrorKind::Input,
            Error::Exec(_) | Error::Wait(_) => ErrorKind::Failed,
            Error::Build(BuildError::NoBuild { .. } | BuildError::Context { .. }) => ErrorKind::Input,
            Error::Build(BuildError::Failed { .. }) | Error::Pull(PullError::Failed { .. }) => ErrorKind::Failed,
            Error::Interrupted => ErrorKind::Interrupted,
            Error::Other { kind, .. } => *kind,
        }
    }
}

fn engine_kind(e: &EngineError) -> ErrorKind {
    match e {
        EngineError::Unreachable { .. } => ErrorKind::EngineUnreachable,
        EngineError::Lost { .. } | EngineError::Timeout { .. } => ErrorKind::EngineLost,
        EngineError::Refused { .. } | EngineError::TooOld { .. } => ErrorKind::EngineRefused,
    }
}

impl From<load::LoadFailure> for Error {
    fn from(f: load::LoadFailure) -> Self {
        Error::Input { problems: f.problems, sources: f.sources }
    }
}

macro_rules! from_typed {
    ($($t:ty => $v:ident),* $(,)?) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Self {
                Error::$v(e)
            }
        }
    )*};
}

from_typed!(EngineError => Engine, PlanError => Plan, ExecError => Exec, WaitError => Wait, BuildError => Build, PullError => Pull);

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

/// Prints an error to stderr and returns the exit code of its kind.
pub fn report_error(e: Error) -> ExitCode {
    let code = ExitCode::from(e.kind().exit_code());
    let report = match e {
        Error::Input { problems, sources } => {
            for p in problems.0 {
                eprintln!("{:?}", miette::Report::new(SourceDiagnostic::new(p, &sources)));
            }
            return code;
        }
        Error::Usage(e) => {
            let _ = e.print();
            return code;
        }
        Error::Interrupted => return code,
        Error::Engine(e) => miette::Report::new(e),
        Error::Plan(e) => miette::Report::new(e),
        Error::Exec(e) => miette::Report::new(e),
        Error::Wait(e) => miette::Report::new(e),
        Error::Build(e) => miette::Report::new(e),
        Error::Pull(e) => miette::Report::new(e),
        Error::Other { report, .. } => report,
    };
    eprintln!("{report:?}");
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_failure_exits_1_as_in_docker_compose_but_an_interrupt_130() {
        for kind in ErrorKind::ALL {
            let want = if kind == ErrorKind::Interrupted { 130 } else { 1 };
            assert_eq!(kind.exit_code(), want, "{kind:?}");
        }
    }

    #[test]
    fn engine_errors_keep_their_kind() {
        let lost = Error::from(EngineError::Lost { action: "wait for container web-1".into(), reason: "connection reset".into() });
        assert_eq!(lost.kind(), ErrorKind::EngineLost);
        let timeout = Error::from(ExecError::Engine(EngineError::Timeout { action: "start web-1".into(), seconds: 3 }));
        assert_eq!(timeout.kind(), ErrorKind::EngineLost);
        let unreachable = Error::from(EngineError::Unreachable { host: "unix:///nonexistent".into(), context: None, reason: "no such file".into() });
        assert_eq!(unreachable.kind(), ErrorKind::EngineUnreachable);
        let refused = Error::from(WaitError::Engine(EngineError::Refused { action: "inspect".into(), message: "no such container".into(), status: 404 }));
        assert_eq!(refused.kind(), ErrorKind::EngineRefused);
        assert_eq!(Error::from(ExecError::NotCompleted { service: "migrate".into(), code: 3 }).kind(), ErrorKind::Failed);
        assert_eq!(Error::from(PlanError::UnknownService("nope".into())).kind(), ErrorKind::Usage);
        assert_eq!(Error::from(PlanError::MissingExternalVolume { key: "data".into(), name: "data".into() }).kind(), ErrorKind::State);
    }

    #[test]
    fn a_container_exit_code_passes_through_and_is_never_zero_when_out_of_range() {
        assert_eq!(container_exit(0), ExitCode::SUCCESS);
        assert_eq!(container_exit(7), ExitCode::from(7));
        assert_eq!(container_exit(255), ExitCode::from(255));
        assert_eq!(container_exit(-1), ExitCode::from(255));
        assert_eq!(container_exit(256), ExitCode::from(255));
    }

    /// The README's "Exit codes" table lists every kind with its code, and
    /// the code is docker compose v2's.
    #[test]
    fn the_readme_table_matches_the_map() {
        let readme = include_str!("../README.md");
        let table = readme.split("## Exit codes").nth(1).expect("README has an \"Exit codes\" section");
        let rows: Vec<Vec<&str>> =
            table.lines().take_while(|l| !l.starts_with("## ")).filter(|l| l.starts_with('|')).map(|l| l.split('|').map(str::trim).collect()).collect();
        for kind in ErrorKind::ALL {
            let name = format!("`{}`", kind.name());
            let row = rows.iter().find(|r| r.get(1) == Some(&name.as_str())).unwrap_or_else(|| panic!("no README row for {name}"));
            assert_eq!(row[2], kind.exit_code().to_string(), "README code of {name}");
            assert_eq!(row[3], row[2], "{name}: rcompose differs from docker compose v2");
        }
    }
}
