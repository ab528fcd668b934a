//! The operations, as a library: `up`, `down`, `run`, `scale`, `pull`, `build`,
//! `export`, `commit`, `attach`, `stats` and the lifecycle commands take a
//! connected engine, a loaded project, options and a [`Reporter`], and
//! return an outcome or a typed [`Error`]. They never print: commands in
//! `cli` parse flags, call one operation and render its outcome, and a Rust
//! program can call the same operation (see [`Stack`] for the short form).
//!
//! Owns: the sequence of one operation (lock, observe, decide what to pull
//! and build, plan, refuse, execute, wait) and its dry run, which returns the
//! same [`Steps`] it would carry out.
//!
//! [`Reporter`]: crate::progress::Reporter
//! [`Error`]: crate::Error
//! [`Steps`]: crate::reconcile::steps::Steps

pub mod backup;
pub mod build;
pub mod container;
pub mod down;
pub mod images;
pub mod lifecycle;
pub mod lock;
pub mod ps;
pub mod pull;
pub mod run;
pub mod scale;
mod stack;
pub mod stats;
pub mod up;
pub mod volume;

pub use build::build;
pub use container::{attach_target, commit, export, AttachTarget, CommitRequest, ExportRequest};
pub use down::{down, DownRequest};
pub use lifecycle::{lifecycle, Action};
pub use ps::{ps, PsEntry, PsRequest};
pub use pull::{pull, PullRequest};
pub use run::{prepare_run, OneOff, OneOffOverrides, Prepared, RunRequest};
pub use scale::{scale, ScaleRequest};
pub use stack::Stack;
pub use stats::{stats_once, stats_stream, stats_targets, StatsRequest, Usage};
pub use up::{up, UpOutcome, UpRequest};
