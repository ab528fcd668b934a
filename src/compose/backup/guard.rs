//! A watchdog process for `backup` and `restore`, so that even a `kill -9`
//! of rcompose leaves the project as it found it: the services it stopped
//! run again, no half archive remains, nothing staged stays in a volume.
//!
//! The command starts the guard (the same binary with the same arguments,
//! so the same engine and project, and [`GUARD_ENV`] set) in its own
//! process group, hands it an [`Undo`] as the first line on its standard
//! input, and keeps the pipe open. It writes
//! `swap` when restore begins swapping staged content in (from then on the
//! staged content must not be removed), and `done` when it has tidied up
//! itself. If the pipe closes without `done`, rcompose died: the guard
//! carries out the undo.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};

use serde::{Deserialize, Serialize};

use crate::engine::{ContainerQuery, ContainerRef, Engine};

/// Set in the guard's environment: run as the guard, not the command.
pub const GUARD_ENV: &str = "RCOMPOSE_BACKUP_GUARD";

/// How to start the guard: this program and its arguments.
#[derive(Clone, Debug)]
pub struct Relaunch {
    pub exe: PathBuf,
    pub args: Vec<std::ffi::OsString>,
}

impl Relaunch {
    /// The running program, as it was started.
    pub fn current() -> Option<Relaunch> {
        Some(Relaunch { exe: std::env::current_exe().ok()?, args: std::env::args_os().skip(1).collect() })
    }
}

/// What to put right if rcompose dies part way.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Undo {
    pub project: String,
    /// The process whose helper containers to remove.
    pub pid: u32,
    /// Containers to start (or unpause, when `paused`) again, in order.
    pub containers: Vec<(String, String)>,
    pub paused: bool,
    /// An unfinished archive to remove.
    pub partial: Option<PathBuf>,
    /// Staged restore content to remove: (image with a shell, volume, folder).
    pub staged: Vec<(String, String, String)>,
}

/// The running guard; dropped without [`Guard::done`], it acts.
pub struct Guard {
    child: Child,
    stdin: Option<ChildStdin>,
}

impl Guard {
    /// Starts the guard with `undo`. None when it cannot start (the work
    /// goes on; only a `kill -9` would then leave things stopped).
    pub fn start(how: &Relaunch, undo: &Undo) -> Option<Guard> {
        use std::os::unix::process::CommandExt;
        let mut child = Command::new(&how.exe)
            .args(&how.args)
            .env(GUARD_ENV, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own group: a Ctrl-C meant for rcompose does not reach it.
            .process_group(0)
            .spawn()
            .map_err(|e| tracing::warn!("cannot start the backup guard: {e}"))
            .ok()?;
        let mut stdin = child.stdin.take()?;
        let line = serde_json::to_string(undo).ok()?;
        writeln!(stdin, "{line}").ok()?;
        Some(Guard { child, stdin: Some(stdin) })
    }

    /// From now on staged content is being swapped in: keep it.
    pub fn swapping(&mut self) {
        if let Some(s) = self.stdin.as_mut() {
            let _ = writeln!(s, "swap");
        }
    }

    /// rcompose tidied up itself: the guard ends without acting.
    pub fn done(mut self) {
        if let Some(mut s) = self.stdin.take() {
            let _ = writeln!(s, "done");
        }
        let _ = self.child.wait();
    }
}

/// The guard's side: reads the undo and waits; returns it with whether
/// staged content must be kept, or none when rcompose said `done`.
pub fn watch(input: impl BufRead) -> Option<(Undo, bool)> {
    let mut lines = input.lines();
    let undo: Undo = serde_json::from_str(&lines.next()?.ok()?).ok()?;
    let mut swapping = false;
    for line in lines {
        match line.as_deref() {
            Ok("done") => return None,
            Ok("swap") => swapping = true,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    Some((undo, swapping))
}

/// Puts things right after rcompose died: waits for (when swapping) or
/// removes its helper containers, removes staged content and the partial
/// archive, then starts the held containers, dependencies first.
pub async fn carry_out(engine: &dyn Engine, undo: &Undo, swapping: bool) {
    let prefix = format!("{}-volume-helper-{}-", undo.project, undo.pid);
    let query = ContainerQuery { all: true, labels: vec![crate::engine::labels::project_filter(&undo.project)], ..ContainerQuery::default() };
    if let Ok(list) = engine.list_containers(&query).await {
        for c in list.iter().filter(|c| c.name.starts_with(&prefix)) {
            let me = ContainerRef::new(&c.id, &c.name);
            if swapping {
                let _ = engine.wait_exit(me).await;
            }
            let _ = engine.remove_container(me, true).await;
        }
    }
    if let Some(p) = &undo.partial {
        let _ = std::fs::remove_file(p);
    }
    if !swapping {
        for (image, volume, folder) in &undo.staged {
            let _ = super::restore::remove_staged(engine, &undo.project, image, volume, folder).await;
        }
    }
    for (id, name) in &undo.containers {
        let me = ContainerRef::new(id, name);
        let _ = if undo.paused { engine.unpause_container(me).await } else { engine.start_container(me).await };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guard_acts_unless_told_done_and_keeps_staged_content_once_swapping() {
        let undo = serde_json::to_string(&Undo { project: "p".into(), pid: 7, ..Undo::default() }).unwrap();
        assert!(watch(format!("{undo}\ndone\n").as_bytes()).is_none());
        let (u, swapping) = watch(format!("{undo}\n").as_bytes()).unwrap();
        assert_eq!((u.project.as_str(), u.pid, swapping), ("p", 7, false));
        assert!(watch(format!("{undo}\nswap\n").as_bytes()).unwrap().1);
        assert!(watch(&b"not json\n"[..]).is_none(), "a garbled start does nothing");
    }
}
