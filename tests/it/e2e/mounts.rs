//! Mount forms from the Docker volume guides, in both syntaxes, checked
//! inside real containers.

use std::process::Command;

use super::{engine_ready, Stack, BUSYBOX, LOOP};

fn sh(container: &str, script: &str) -> (bool, String) {
    let out = std::process::Command::new("docker").args(["exec", container, "sh", "-c", script]).output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)).trim().to_string())
}

#[test]
fn bind_tmpfs_named_and_read_only_mounts() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let compose = format!(
        r#"services:
  app:
    image: {BUSYBOX}
    command: [sh, -c, "{LOOP}"]
    volumes:
      - ./site:/site:ro
      - ./made-by-engine:/created
      - data:/data
      - /anon
      - type: tmpfs
        target: /scratch
        tmpfs:
          size: 8m
      - type: bind
        source: ./site
        target: /site-rw
      - type: volume
        source: data
        target: /data-ro
        read_only: true
volumes:
  data:
"#
    );
    let s = Stack::new("mounts", &compose);
    std::fs::create_dir_all(s.path().join("site")).unwrap();
    s.write("site/index.html", "hello from the host\n");
    s.ok(&["up", "-d"]);
    let app = format!("{}-app-1", s.name);
    assert_eq!(sh(&app, "cat /site/index.html"), (true, "hello from the host".into()));
    let (ok, err) = sh(&app, "echo x > /site/new.txt");
    assert!(!ok && err.contains("Read-only file system"), "{err}");
    assert!(sh(&app, "echo written > /site-rw/from-container.txt").0);
    assert_eq!(std::fs::read_to_string(s.path().join("site/from-container.txt")).unwrap(), "written\n");
    assert!(s.path().join("made-by-engine").is_dir(), "create_host_path (short syntax) did not create the folder");
    let (_, mounts) = sh(&app, "grep ' /scratch ' /proc/mounts");
    assert!(mounts.starts_with("tmpfs /scratch tmpfs") && mounts.contains("size=8192k"), "{mounts}");
    assert!(sh(&app, "echo kept > /data/f").0);
    assert_eq!(sh(&app, "cat /data-ro/f"), (true, "kept".into()));
    assert!(!sh(&app, "echo x > /data-ro/g").0, "read_only volume was writable");
    assert!(sh(&app, "echo anon > /anon/f").0);
    assert!(sh(&app, "dd if=/dev/zero of=/data/big bs=1000 count=300 2>/dev/null").0);

    let vols: Vec<serde_json::Value> = serde_json::from_str(s.ok(&["volumes", "--format", "json"]).trim()).unwrap();
    let data = vols.iter().find(|v| v["Key"] == "data").expect("the data volume");
    assert_eq!(data["Name"], format!("{}_data", s.name));
    assert_eq!(data["Driver"], "local");
    assert_eq!(data["UsedBy"], serde_json::json!([app.clone()]));
    let size = data["Size"].as_u64().expect("the engine reports the local volume's size");
    assert!((300_000..2_000_000).contains(&size), "size {size} for 300 kB written");
    let table = s.ok(&["volumes"]);
    let line = table.lines().find(|l| l.starts_with(&format!("{}_data ", s.name))).expect("data row");
    assert!(line.contains("kB") && line.contains(&app), "{table}");
    assert!(vols.iter().any(|v| v["Key"] == "(anonymous)"), "{vols:?}");
}

#[test]
fn volumes_from_shares_data_and_honours_ro() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let compose = format!(
        "services:\n  source:\n    image: {BUSYBOX}\n    command: [sh, -c, \"echo shared > /shared/f; {LOOP}\"]\n    volumes: ['/shared']\n  reader:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n    volumes_from: ['source:ro']\n  writer:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n    volumes_from: [source]\n"
    );
    let s = Stack::new("volfrom", &compose);
    s.ok(&["up", "-d"]);
    let reader = format!("{}-reader-1", s.name);
    let writer = format!("{}-writer-1", s.name);
    assert!(super::eventually(10, || sh(&reader, "cat /shared/f").1 == "shared"));
    assert!(!sh(&reader, "echo x > /shared/g").0, ":ro was writable");
    assert!(sh(&writer, "echo from-writer > /shared/w").0);
    assert_eq!(sh(&reader, "cat /shared/w"), (true, "from-writer".into()));
}

#[test]
fn empty_named_volume_is_prepopulated_unless_nocopy() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    // /bin has the image's content: an empty named volume mounted there is
    // filled by the engine; with nocopy it stays empty.
    let compose = format!(
        "services:\n  filled:\n    image: {BUSYBOX}\n    command: [/bin/sh, -c, \"{LOOP}\"]\n    volumes: ['copied:/etc']\n  empty:\n    image: {BUSYBOX}\n    command: [/bin/sh, -c, \"{LOOP}\"]\n    volumes:\n      - type: volume\n        source: notcopied\n        target: /etc\n        volume:\n          nocopy: true\nvolumes:\n  copied:\n  notcopied:\n"
    );
    let s = Stack::new("prepop", &compose);
    s.ok(&["up", "-d"]);
    assert_eq!(sh(&format!("{}-filled-1", s.name), "cat /etc/group | head -n1"), (true, "root:x:0:".into()));
    // (the engine itself puts hosts, hostname and resolv.conf into /etc)
    assert_eq!(sh(&format!("{}-empty-1", s.name), "test -e /etc/passwd || test -e /etc/group || echo empty"), (true, "empty".into()));
}

#[test]
fn an_external_volume_is_used_and_never_removed() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let ext = format!("rct-external-{}", std::process::id());
    Stack::docker(&["volume", "create", &ext]);
    let compose = format!(
        "services:\n  app:\n    image: {BUSYBOX}\n    command: [sh, -c, \"echo from-app > /ext/f; {LOOP}\"]\n    volumes: ['shared:/ext', '/anon']\nvolumes:\n  shared:\n    external: true\n    name: {ext}\n"
    );
    let s = Stack::new("extused", &compose);
    s.ok(&["up", "-d"]);
    let app = format!("{}-app-1", s.name);
    assert!(super::eventually(10, || sh(&app, "cat /ext/f").1 == "from-app"));
    let anon = Stack::docker(&["inspect", "-f", "{{range .Mounts}}{{if eq .Destination \"/anon\"}}{{.Name}}{{end}}{{end}}", &app]);
    s.ok(&["stop", "-t", "1"]);
    s.ok(&["rm", "-f", "-v"]);
    assert!(!Stack::volume_exists(&anon), "rm -v left the anonymous volume");
    assert!(Stack::volume_exists(&ext), "rm -v removed the external volume");
    s.ok(&["up", "-d"]);
    s.ok(&["down", "-v"]);
    assert!(Stack::volume_exists(&ext), "down -v removed an external volume");
    Stack::docker(&["volume", "rm", &ext]);
}

#[test]
fn down_v_keeps_a_volume_labelled_for_another_project_even_when_names_collide() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = Stack::new(
        "collide",
        &format!("services:\n  app:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n    volumes: ['data:/data']\nvolumes:\n  data:\n"),
    );
    let name = format!("{}_data", s.name);
    Stack::docker(&["volume", "create", "--label", "com.docker.compose.project=someone-else", &name]);
    let out = s.run(&["up", "-d"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("created for project \"someone-else\""), "{}", String::from_utf8_lossy(&out.stderr));
    let out = s.run(&["down", "-v"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not removing it"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(Stack::volume_exists(&name), "down -v removed another project's volume");
    Stack::docker(&["volume", "rm", &name]);
}

/// SELinux relabel options reach the engine in both syntaxes (as `Binds`
/// mode flags, the only form the engine takes them in), and so do consistency
/// modes. docker compose v2.40 drops `bind.selinux` from a long-syntax bind
/// with `create_host_path: false` (it sends that one through `Mounts`, which
/// has no such field); the compose documentation says the option applies, so
/// we follow the documentation. On this host SELinux is off, so the relabel
/// itself is a no-op the engine accepts: the test checks what is sent and
/// that the content is visible.
#[test]
fn selinux_and_consistency_options_reach_the_engine() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let compose = format!(
        r#"services:
  app:
    image: {BUSYBOX}
    command: [sh, -c, "{LOOP}"]
    volumes:
      - ./a:/a:z
      - type: bind
        source: ./b
        target: /b
        read_only: true
        bind: {{selinux: Z, create_host_path: false}}
      - type: bind
        source: ./c
        target: /c
        consistency: cached
      - ./d:/d:delegated
"#
    );
    let s = Stack::new("selinux", &compose);
    for dir in ["a", "b", "c"] {
        std::fs::create_dir_all(s.path().join(dir)).unwrap();
        s.write(&format!("{dir}/f"), dir);
    }
    s.ok(&["up", "-d"]);
    let app = format!("{}-app-1", s.name);
    for dir in ["a", "b", "c"] {
        assert_eq!(sh(&app, &format!("cat /{dir}/f")), (true, dir.to_string()));
    }
    let root = s.path().canonicalize().unwrap();
    let binds = Stack::docker(&["inspect", &app, "--format", "{{json .HostConfig.Binds}}"]);
    let binds: Vec<String> = serde_json::from_str(&binds).unwrap();
    let root = root.display();
    for want in [format!("{root}/a:/a:z"), format!("{root}/b:/b:ro,Z"), format!("{root}/d:/d:delegated")] {
        assert!(binds.contains(&want), "{want} not in {binds:?}");
    }
    let mounts = Stack::docker(&["inspect", &app, "--format", "{{json .HostConfig.Mounts}}"]);
    let mounts: Vec<serde_json::Value> = serde_json::from_str(&mounts).unwrap();
    let c = mounts.iter().find(|m| m["Target"] == "/c").expect("the /c mount");
    assert_eq!(c["Consistency"], "cached", "{mounts:?}");
    assert!(!sh(&app, "echo x > /b/g").0, "a read-only bind was writable");
}

/// The remaining forms of the volume guides: `volumes_from` naming a plain
/// container (read-only and read-write), a top-level volume with local-driver
/// tmpfs options and labels, a bind source under `~`, and `down -v` naming
/// the volumes before it removes them.
#[test]
fn container_volumes_from_driver_opts_home_binds_and_down_v_listing() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let outside = format!("rct-outside-{}", std::process::id());
    let made = Stack::docker(&[
        "run",
        "-d",
        "--name",
        &outside,
        "-v",
        "/outside",
        BUSYBOX,
        "sh",
        "-c",
        &format!("echo from-outside > /outside/f; {}", LOOP.replace("$$", "$")),
    ]);
    assert!(!made.is_empty(), "docker run failed");
    struct Gone(String);
    impl Drop for Gone {
        fn drop(&mut self) {
            Stack::docker(&["rm", "-fv", &self.0]);
        }
    }
    let _outside = Gone(outside.clone());
    let compose = format!(
        r#"services:
  ro:
    image: {BUSYBOX}
    command: [sh, -c, "{LOOP}"]
    volumes_from: ["container:{outside}:ro"]
  rw:
    image: {BUSYBOX}
    command: [sh, -c, "{LOOP}"]
    volumes_from: ["container:{outside}:rw"]
    volumes:
      - scratch:/scratch
      - ~/from-home:/home-bind
volumes:
  scratch:
    driver: local
    driver_opts: {{type: tmpfs, device: tmpfs, o: "size=4m"}}
    labels: {{purpose: scratch-space}}
"#
    );
    let s = Stack::new("volforms", &compose);
    let home = s.path().join("home");
    std::fs::create_dir_all(home.join("from-home")).unwrap();
    std::fs::write(home.join("from-home/f"), "home file").unwrap();
    let rcompose = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_rcompose"))
            .current_dir(s.path())
            .env("HOME", &home)
            .args(["-p", &s.name, "--progress", "plain"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    rcompose(&["up", "-d"]);
    let (ro, rw) = (format!("{}-ro-1", s.name), format!("{}-rw-1", s.name));
    assert!(super::eventually(10, || sh(&ro, "cat /outside/f").1 == "from-outside"));
    assert!(!sh(&ro, "echo x > /outside/g").0, "container:NAME:ro was writable");
    assert!(sh(&rw, "echo from-rw > /outside/g").0, "container:NAME:rw was read-only");
    assert_eq!(Stack::docker(&["exec", &outside, "cat", "/outside/g"]), "from-rw");
    assert_eq!(sh(&rw, "cat /home-bind/f"), (true, "home file".into()));
    let (_, mounts) = sh(&rw, "grep ' /scratch ' /proc/mounts");
    assert!(mounts.starts_with("tmpfs /scratch tmpfs") && mounts.contains("size=4096k"), "{mounts}");
    let volume = format!("{}_scratch", s.name);
    assert_eq!(Stack::docker(&["volume", "inspect", &volume, "--format", "{{index .Labels \"purpose\"}}"]), "scratch-space");
    let theirs = Stack::docker(&["inspect", &outside, "--format", "{{range .Mounts}}{{.Name}}{{end}}"]);
    let said = rcompose(&["down", "-v", "-t", "1"]);
    let listing = said.lines().find(|l| l.contains("removing volumes")).unwrap_or_else(|| panic!("no volume listing:\n{said}"));
    assert!(listing.contains(&volume), "{listing}");
    assert!(!Stack::volume_exists(&volume));
    // The outside container's anonymous volume is not the project's to remove.
    assert!(!listing.contains(&theirs), "down -v meant to remove {theirs} of {outside}: {listing}");
    assert!(said.contains(&format!("volume {theirs} is also used by {outside}")), "{said}");
    assert!(Stack::volume_exists(&theirs));
    assert!(Stack::docker(&["ps", "-q", "--filter", &format!("name={outside}")]).len() > 1, "down touched a container outside the project");
}

#[test]
fn volumes_from_a_container_with_named_anonymous_bind_and_tmpfs_mounts() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    // The engine's own VolumesFrom refuses this source ("no such volume")
    // because of its tmpfs mount; docker compose v2 fails the same way.
    let compose = format!(
        "services:\n  source:\n    image: {BUSYBOX}\n    command: [sh, -c, \"echo named > /named/f; echo anon > /anon/f; echo scratch > /scratch/f; {LOOP}\"]\n    volumes:\n      - named:/named\n      - /anon\n      - ./conf:/conf:ro\n      - type: tmpfs\n        target: /scratch\n  reader:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n    volumes_from: [source]\nvolumes:\n  named: {{}}\n"
    );
    let s = Stack::new("volfromall", &compose);
    std::fs::create_dir_all(s.path().join("conf")).unwrap();
    std::fs::write(s.path().join("conf/app.ini"), "bind\n").unwrap();
    s.ok(&["up", "-d"]);
    let reader = format!("{}-reader-1", s.name);
    assert!(super::eventually(10, || sh(&reader, "cat /named/f").1 == "named"), "named volume not shared");
    assert_eq!(sh(&reader, "cat /anon/f"), (true, "anon".into()), "anonymous volume not shared");
    assert_eq!(sh(&reader, "cat /conf/app.ini"), (true, "bind".into()), "bind not shared");
    assert!(!sh(&reader, "echo x > /conf/new").0, "a read-only bind became writable");
    assert!(!sh(&reader, "test -e /scratch/f").0, "the source's tmpfs is its own");
    assert!(sh(&reader, "echo from-reader > /named/g").0);
    assert_eq!(sh(&format!("{}-source-1", s.name), "cat /named/g"), (true, "from-reader".into()));
}
