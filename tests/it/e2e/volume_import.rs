//! `volume import` of archives it did not make: a tar of a volume's
//! content, the seeds' `tar cf backup.tar /dbdata` recipe (with
//! `--strip-components`), and layouts it must refuse without touching the
//! volume.

use std::process::Command;

use super::{engine_ready, Stack, BUSYBOX};

fn compose() -> String {
    format!("services:\n  app:\n    image: {BUSYBOX}\n    command: [sleep, '300']\n    volumes: [data:/data]\nvolumes:\n  data: {{}}\n")
}

/// Runs `tar ARGS` in `dir`.
fn tar(dir: &std::path::Path, args: &[&str]) {
    let status = Command::new("tar").current_dir(dir).args(args).status().expect("tar runs");
    assert!(status.success(), "tar {args:?}");
}

/// The marker file in the volume, read from the running service.
fn marker(s: &Stack) -> String {
    Stack::docker(&["exec", &format!("{}-app-1", s.name), "sh", "-c", "cat /data/marker /data/sub/inner 2>&1"])
}

#[test]
fn plain_and_folder_tars_import_and_unknown_layouts_are_refused_untouched() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = Stack::new("volimp", &compose());
    s.ok(&["up", "-d"]);
    Stack::docker(&["exec", &format!("{}-app-1", s.name), "sh", "-c", "echo before > /data/marker; mkdir -p /data/sub; echo was > /data/sub/inner"]);
    let dir = s.path();
    std::fs::create_dir_all(dir.join("content/sub")).unwrap();
    std::fs::write(dir.join("content/marker"), "plain\n").unwrap();
    std::fs::write(dir.join("content/sub/inner"), "plain-inner\n").unwrap();
    std::fs::create_dir_all(dir.join("dbdata/sub")).unwrap();
    std::fs::write(dir.join("dbdata/marker"), "seeds\n").unwrap();
    std::fs::write(dir.join("dbdata/sub/inner"), "seeds-inner\n").unwrap();
    tar(dir, &["-C", "content", "-cf", "plain.tar", "."]);
    tar(dir, &["-cf", "seeds.tar", "dbdata"]);
    std::fs::write(dir.join("garbage.tar"), "this is not an archive at all, whatever its name says\n".repeat(20)).unwrap();

    // Refused, each with a reason and what to do, and the volume unchanged.
    for (file, expected) in [("garbage.tar", "not a tar archive"), ("seeds.tar", "pass --strip-components 1 if that folder is the volume's content")] {
        let out = s.run(&["volume", "import", "--force", "data", file]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{file} was accepted: {err}");
        assert!(err.contains(expected) && err.contains("nothing was written"), "{file}: {err}");
        assert_eq!(marker(&s), "before\nwas", "a refused {file} changed the volume");
    }

    s.ok(&["volume", "import", "--force", "data", "plain.tar"]);
    assert_eq!(marker(&s), "plain\nplain-inner");
    s.ok(&["volume", "import", "--force", "--strip-components", "1", "data", "seeds.tar"]);
    assert_eq!(marker(&s), "seeds\nseeds-inner");
    // Its own format still round-trips.
    s.ok(&["volume", "export", "data", "-o", "own.tar"]);
    s.ok(&["volume", "import", "--force", "data", "plain.tar"]);
    s.ok(&["volume", "import", "--force", "data", "own.tar"]);
    assert_eq!(marker(&s), "seeds\nseeds-inner");
}

/// Runs rcompose and returns its exit status and peak resident memory in
/// KiB: the largest `VmHWM` its /proc status showed while it ran (polled).
/// Not `wait4`'s `ru_maxrss`: a child forked from this test process starts
/// with this process's own peak, which parallel tests make large.
fn run_measured(s: &Stack, args: &[&str]) -> (bool, i64) {
    let mut full = vec!["-p", s.name.as_str(), "--progress", "quiet"];
    full.extend_from_slice(args);
    let mut child = Command::new(env!("CARGO_BIN_EXE_rcompose")).current_dir(s.path()).args(&full).spawn().expect("run rcompose");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            let hwm = text.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<i64>().ok());
            peak = peak.max(hwm.unwrap_or(0));
        }
        if let Some(status) = child.try_wait().expect("wait for rcompose") {
            return (status.success(), peak);
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn export_import_backup_and_restore_of_2_gib_stream_with_flat_memory() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = Stack::new("volmem", &compose());
    s.ok(&["up", "-d"]);
    let app = format!("{}-app-1", s.name);
    // Random bytes: nothing to compress, so every byte goes through.
    Stack::docker(&["exec", &app, "sh", "-c", "dd if=/dev/urandom of=/data/blob bs=1M count=2048 2>/dev/null"]);
    let sum = || Stack::docker(&["exec", &app, "md5sum", "/data/blob"]);
    let before = sum();
    let mut peaks = Vec::new();
    let mut step = |name: &str, args: &[&str]| {
        let (ok, kb) = run_measured(&s, args);
        assert!(ok, "{name} failed");
        assert!(kb > 1024, "{name}: no peak read ({kb} KiB)");
        peaks.push((name.to_string(), kb));
    };
    step("export", &["volume", "export", "data", "-o", "big.tar"]);
    assert!(std::fs::metadata(s.path().join("big.tar")).unwrap().len() > 2048 << 20);
    Stack::docker(&["exec", &app, "rm", "/data/blob"]);
    step("import", &["volume", "import", "--force", "data", "big.tar"]);
    assert_eq!(sum(), before, "the imported blob differs");
    std::fs::remove_file(s.path().join("big.tar")).unwrap();
    step("backup", &["backup", "-o", "big.tar.zst"]);
    Stack::docker(&["exec", &app, "rm", "/data/blob"]);
    step("restore", &["restore", "--force", "big.tar.zst"]);
    assert_eq!(sum(), before, "the restored blob differs");
    // 2 GiB went through each; memory must not follow the size.
    for (name, kb) in &peaks {
        assert!(*kb < 64 * 1024, "{name} peaked at {kb} KiB: {peaks:?}");
    }
    eprintln!("peak RSS (KiB): {peaks:?}");
}
