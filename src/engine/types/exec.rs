//! Running commands in containers: an exec's request, its streams, its
//! status and collected output; a container's process table.

use super::LogChunk;

/// What a command run in a container printed, and how it ended.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecOutput {
    pub exit_code: i64,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl ExecOutput {
    /// Standard output as text (lossy), without a trailing newline.
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).trim_end_matches('\n').to_string()
    }
}

/// A command to run in a running container.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecSpec {
    pub command: Vec<String>,
    /// `KEY=VALUE` pairs.
    pub env: Vec<String>,
    pub workdir: Option<String>,
    pub user: Option<String>,
    pub privileged: bool,
    pub tty: bool,
    /// Attach stdin, stdout and stderr (false: run in the background).
    pub attach: bool,
}

/// The streams of an attached process: its output, and its input, which
/// closes when dropped or shut down.
pub struct Attached {
    pub output: futures::stream::BoxStream<'static, Result<LogChunk, crate::engine::EngineError>>,
    pub input: std::pin::Pin<Box<dyn tokio::io::AsyncWrite + Send>>,
}

impl std::fmt::Debug for Attached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Attached { .. }")
    }
}

/// How to attach to a running container (`attach`): its output from now
/// on, and its input when `stdin`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttachSpec {
    pub stdin: bool,
    /// The key sequence that detaches (the engine's default, ctrl-p ctrl-q,
    /// when none).
    pub detach_keys: Option<String>,
}

/// What an inspect of an exec'd process says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExecStatus {
    pub running: bool,
    /// Present once it has exited.
    pub exit_code: Option<i64>,
}

/// The processes of a container, as `ps` prints them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcessTable {
    pub titles: Vec<String>,
    pub processes: Vec<Vec<String>>,
}
