//! Progress of long operations, as events, and the renderers that show them.
//!
//! Owns: the [`Event`] vocabulary and the [`Reporter`] trait that the
//! reconciler pushes into. Renderers: plain lines (CI, pipes,
//! `--progress plain`), a TTY view, JSON lines (`--progress json`) and quiet.
//! The reconciler never prints; only reporters do.

pub mod live;

use std::io::{IsTerminal, Write};
use std::sync::Mutex;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Kind {
    Network,
    Volume,
    Container,
    Image,
}

impl Kind {
    fn label(&self) -> &'static str {
        match self {
            Kind::Network => "Network",
            Kind::Volume => "Volume",
            Kind::Container => "Container",
            Kind::Image => "Image",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Status {
    Creating,
    Created,
    Recreate,
    Recreated,
    Starting,
    Started,
    Running,
    Waiting,
    Healthy,
    Exited,
    Stopping,
    Stopped,
    Removing,
    Removed,
    Building,
    Built,
    Pulling,
    Pulled,
    /// A volume's content on its way (backup, restore).
    Copying,
    Copied,
    /// A container's file system on its way to a tar (`export`).
    Exporting,
    Exported,
    /// A container becoming an image (`commit`).
    Committing,
    Committed,
    Paused,
    Unpaused,
    Warning,
    Error,
}

impl Status {
    fn label(&self) -> &'static str {
        match self {
            Status::Creating => "Creating",
            Status::Created => "Created",
            Status::Recreate => "Recreate",
            Status::Recreated => "Recreated",
            Status::Starting => "Starting",
            Status::Started => "Started",
            Status::Running => "Running",
            Status::Waiting => "Waiting",
            Status::Healthy => "Healthy",
            Status::Exited => "Exited",
            Status::Stopping => "Stopping",
            Status::Stopped => "Stopped",
            Status::Removing => "Removing",
            Status::Removed => "Removed",
            Status::Building => "Building",
            Status::Built => "Built",
            Status::Pulling => "Pulling",
            Status::Pulled => "Pulled",
            Status::Copying => "Copying",
            Status::Copied => "Copied",
            Status::Exporting => "Exporting",
            Status::Exported => "Exported",
            Status::Committing => "Committing",
            Status::Committed => "Committed",
            Status::Paused => "Paused",
            Status::Unpaused => "Unpaused",
            Status::Warning => "Warning",
            Status::Error => "Error",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Event {
    pub kind: Kind,
    pub name: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Event {
    pub fn new(kind: Kind, name: impl Into<String>, status: Status) -> Event {
        Event { kind, name: name.into(), status, detail: None }
    }

    pub fn detail(mut self, d: impl Into<String>) -> Event {
        self.detail = Some(d.into());
        self
    }
}

/// Receives progress; implementations decide how (or whether) to show it.
pub trait Reporter: Send + Sync {
    fn event(&self, event: Event);
    /// A warning for the user (orphans, foreign volumes, ...).
    fn warning(&self, message: &str);
    /// Whether byte-level progress events are worth sending (a live view).
    fn wants_bytes(&self) -> bool {
        false
    }
}

/// How to show progress (`--progress`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    #[default]
    Auto,
    Tty,
    Plain,
    Json,
    Quiet,
}

/// Picks a renderer for the mode; `Auto` is `Tty` on a terminal, else `Plain`.
pub fn reporter(mode: Mode) -> Box<dyn Reporter> {
    match mode {
        Mode::Quiet => Box::new(Quiet),
        Mode::Json => Box::new(JsonLines::default()),
        Mode::Plain => Box::new(Plain::default()),
        Mode::Tty => Box::new(live::Live::stderr()),
        Mode::Auto if std::io::stderr().is_terminal() => Box::new(live::Live::stderr()),
        Mode::Auto => Box::new(Plain::default()),
    }
}

pub struct Quiet;

impl Reporter for Quiet {
    fn event(&self, _: Event) {}
    fn warning(&self, _: &str) {}
}

/// One line per event on stderr, like docker compose's plain mode.
#[derive(Default)]
pub struct Plain {
    tty: bool,
    lock: Mutex<()>,
}

impl Reporter for Plain {
    fn event(&self, e: Event) {
        let _guard = self.lock.lock();
        let mut err = std::io::stderr().lock();
        let detail = e.detail.map(|d| format!(" {d}")).unwrap_or_default();
        let status = if self.tty { colour(e.status) } else { e.status.label().to_string() };
        let _ = writeln!(err, "{} {} {}  {status}{detail}", clock(), e.kind.label(), e.name);
    }

    fn warning(&self, message: &str) {
        let _guard = self.lock.lock();
        let prefix = if self.tty { "\x1b[33mWARN\x1b[0m" } else { "WARN" };
        let _ = writeln!(std::io::stderr().lock(), "{prefix}[0000] {message}");
    }
}

/// UTC time of day with milliseconds, for plain lines in CI logs.
fn clock() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = now.as_secs() % 86_400;
    format!("{:02}:{:02}:{:02}.{:03}", secs / 3600, secs / 60 % 60, secs % 60, now.subsec_millis())
}

fn colour(s: Status) -> String {
    let code = match s {
        Status::Built
        | Status::Pulled
        | Status::Started
        | Status::Created
        | Status::Healthy
        | Status::Running
        | Status::Removed
        | Status::Stopped
        | Status::Copied
        | Status::Exported
        | Status::Committed
        | Status::Paused
        | Status::Unpaused
        | Status::Recreated => "32",
        Status::Error => "31",
        Status::Warning => "33",
        _ => "34",
    };
    format!("\x1b[{code}m{}\x1b[0m", s.label())
}

/// One JSON object per line on stderr.
#[derive(Default)]
pub struct JsonLines {
    lock: Mutex<()>,
}

impl Reporter for JsonLines {
    fn event(&self, e: Event) {
        let _guard = self.lock.lock();
        if let Ok(line) = serde_json::to_string(&e) {
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        }
    }

    /// In docker compose v2's shape: `{"level":"warning","msg":…,"time":…}`.
    fn warning(&self, message: &str) {
        let _guard = self.lock.lock();
        let line = warning_json(message, std::time::SystemTime::now());
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}

/// A warning as docker compose v2's JSON log line.
fn warning_json(message: &str, at: std::time::SystemTime) -> serde_json::Value {
    serde_json::json!({"level": "warning", "msg": message, "time": crate::render::ps::rfc3339_utc(at)})
}

/// Collects events in memory (tests and callers that render later).
#[derive(Default)]
pub struct Recorder {
    pub events: Mutex<Vec<Event>>,
    pub warnings: Mutex<Vec<String>>,
}

impl Reporter for Recorder {
    fn event(&self, e: Event) {
        self.events.lock().expect("lock").push(e);
    }

    fn warning(&self, message: &str) {
        self.warnings.lock().expect("lock").push(message.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn json_warnings_have_v2s_shape() {
        let at = UNIX_EPOCH + Duration::from_secs(1_796_219_499);
        assert_eq!(
            warning_json("the \"U\" variable is not set", at).to_string(),
            r#"{"level":"warning","msg":"the \"U\" variable is not set","time":"2026-12-02T13:51:39Z"}"#
        );
        assert_eq!(crate::render::ps::rfc3339_utc(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(crate::render::ps::rfc3339_utc(UNIX_EPOCH + Duration::from_secs(951_782_400)), "2000-02-29T00:00:00Z");
    }
}
