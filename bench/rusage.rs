//! bench-rusage: runs a command and reports its wall time and peak memory.
//!
//! ```text
//! bench-rusage RESULT_FILE COMMAND [ARGS...]
//! ```
//!
//! Writes `{"seconds": S, "maxrss_kb": K, "status": C}` to RESULT_FILE, where
//! K is the `ru_maxrss` that `wait4` returns for the command's own pid. The
//! command inherits stdin, stdout and stderr; this program's exit code is the
//! command's (128+signal when it was killed).
//!
//! Why not measure from Python directly: Linux keeps a process's peak RSS
//! across `exec`, starting from the memory of the process that forked it. A
//! child of the benchmark's Python interpreter would start at Python's own
//! ~17 MB and hide anything smaller. Started from this small program, the
//! command's peak starts at this program's size (about 1 MB); bench/run.py
//! measures `/bin/true` the same way and reports that floor of the method.

use std::process::{Command, ExitCode};
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: bench-rusage RESULT_FILE COMMAND [ARGS...]");
        return ExitCode::from(2);
    }
    let start = Instant::now();
    let child = match Command::new(&args[1]).args(&args[2..]).spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("bench-rusage: cannot run {}: {e}", args[1]);
            return ExitCode::from(127);
        }
    };
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: pid is our own child, and both pointers are to live locals.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            eprintln!("bench-rusage: wait4: {}", std::io::Error::last_os_error());
            return ExitCode::from(125);
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else if libc::WIFSIGNALED(status) {
        128 + libc::WTERMSIG(status)
    } else {
        125
    };
    let report = format!("{{\"seconds\": {seconds:.6}, \"maxrss_kb\": {}, \"status\": {code}}}\n", usage.ru_maxrss);
    if let Err(e) = std::fs::write(&args[0], report) {
        eprintln!("bench-rusage: write {}: {e}", args[0]);
        return ExitCode::from(125);
    }
    ExitCode::from(code as u8)
}
