//! Wiring a container's streams to ours for `exec` and `run`: output to
//! stdout/stderr, our stdin to the container, and the local terminal in raw
//! mode while a TTY session runs.

use std::io::{IsTerminal, Write};
use std::pin::Pin;

use futures::{Stream, StreamExt};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::engine::LogChunk;

/// Puts the terminal on stdin in raw mode until dropped.
pub struct RawMode {
    saved: Option<libc::termios>,
}

impl RawMode {
    pub fn enable() -> RawMode {
        if !std::io::stdin().is_terminal() {
            return RawMode { saved: None };
        }
        // SAFETY: termios calls on fd 0 with a zeroed struct filled by tcgetattr.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut t) != 0 {
                return RawMode { saved: None };
            }
            let saved = t;
            libc::cfmakeraw(&mut t);
            libc::tcsetattr(0, libc::TCSANOW, &t);
            RawMode { saved: Some(saved) }
        }
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        if let Some(t) = self.saved {
            // SAFETY: restores the attributes read in `enable`.
            unsafe {
                libc::tcsetattr(0, libc::TCSANOW, &t);
            }
        }
    }
}

/// The terminal size (columns, rows), if stdout is a terminal.
pub fn terminal_size() -> Option<(u16, u16)> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    // SAFETY: TIOCGWINSZ fills a winsize struct for fd 1.
    unsafe {
        let mut ws: libc::winsize = std::mem::zeroed();
        if libc::ioctl(1, libc::TIOCGWINSZ, &mut ws) == 0 && ws.ws_col > 0 {
            return Some((ws.ws_col, ws.ws_row));
        }
    }
    None
}

/// Copies our stdin to the container until EOF, then closes its input.
pub fn forward_stdin(input: Pin<Box<dyn AsyncWrite + Send>>) {
    forward(input, true);
}

/// Copies our stdin to the container until EOF, leaving its input open (a
/// container attached to after it started keeps its stdin, and an engine
/// given a half-closed attach may drop the output still to come).
pub fn forward_stdin_keep_open(input: Pin<Box<dyn AsyncWrite + Send>>) {
    forward(input, false);
}

fn forward(mut input: Pin<Box<dyn AsyncWrite + Send>>, close_at_eof: bool) {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<u8>>(16);
    std::thread::spawn(move || {
        use std::io::Read;
        let mut stdin = std::io::stdin();
        let mut buf = [0u8; 8192];
        loop {
            match stdin.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx.blocking_send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
            }
        }
    });
    tokio::spawn(async move {
        while let Some(chunk) = rx.recv().await {
            if input.write_all(&chunk).await.is_err() {
                return;
            }
            let _ = input.flush().await;
        }
        if close_at_eof {
            let _ = input.shutdown().await;
        } else {
            // Held until the output ends and the runtime drops this task.
            std::future::pending::<()>().await;
        }
    });
}

/// Copies the container's output to our stdout and stderr until it ends
/// (or fails).
pub async fn pump_output<S, C, E>(mut output: S)
where
    S: Stream<Item = Result<C, E>> + Unpin,
    C: Into<LogChunk>,
{
    while let Some(Ok(chunk)) = output.next().await {
        let ok = match chunk.into() {
            LogChunk::Stderr(message) => {
                let mut e = std::io::stderr().lock();
                e.write_all(&message).and_then(|_| e.flush())
            }
            LogChunk::Stdout(message) | LogChunk::Console(message) => {
                let mut o = std::io::stdout().lock();
                o.write_all(&message).and_then(|_| o.flush())
            }
        };
        if ok.is_err() {
            return;
        }
    }
}
