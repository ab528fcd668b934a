//! `stats` against the engine: v2's JSON fields with plausible values, the
//! table, templates, `-a` and a service filter.

use super::{engine_ready, Stack, BUSYBOX, LOOP};

#[test]
fn stats_prints_v2s_fields_with_plausible_values() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = Stack::new(
        "stats",
        &format!(
            "services:\n  web:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n  db:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n    mem_limit: 64m\n"
        ),
    );
    s.ok(&["up", "-d"]);
    let out = s.ok(&["stats", "--no-stream", "--format", "json"]);
    let rows: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 2, "{out}");
    // v2.40 printed, one object per line:
    // {"BlockIO":"0B / 0B","CPUPerc":"0.15%","Container":"444b…a80","ID":"444b9594497d","MemPerc":"0.01%",
    //  "MemUsage":"1.781MiB / 23.54GiB","Name":"v2s-web-1","NetIO":"1.01kB / 0B","PIDs":"2"}
    let fields = ["BlockIO", "CPUPerc", "Container", "ID", "MemPerc", "MemUsage", "Name", "NetIO", "PIDs"];
    for row in &rows {
        let obj = row.as_object().unwrap();
        assert_eq!(obj.keys().collect::<Vec<_>>(), fields.iter().collect::<Vec<_>>(), "{row}");
        assert!(obj.values().all(serde_json::Value::is_string), "every field a string, as v2: {row}");
        let text = |k: &str| obj[k].as_str().unwrap().to_string();
        assert!(text("CPUPerc").ends_with('%') && text("MemPerc").ends_with('%'), "{row}");
        assert_eq!(text("ID").len(), 12);
        assert!(text("Container").starts_with(&text("ID")) && text("Container").len() == 64);
        assert!(text("PIDs").parse::<u64>().unwrap() >= 1, "{row}");
        assert!(text("MemUsage").contains(" / ") && text("NetIO").contains(" / ") && text("BlockIO").contains(" / "), "{row}");
    }
    let db = rows.iter().find(|r| r["Name"].as_str().unwrap().ends_with("-db-1")).unwrap();
    assert!(db["MemUsage"].as_str().unwrap().ends_with(" / 64MiB"), "the limit shows: {db}");
    let table = s.ok(&["stats", "--no-stream"]);
    assert!(table.starts_with("CONTAINER ID   NAME"), "{table}");
    assert!(table.lines().next().unwrap().ends_with("BLOCK I/O   PIDS"), "v2's headers: {table}");
    assert_eq!(table.lines().count(), 3);
    let names = s.ok(&["stats", "--no-stream", "--format", "{{.Name}}", "web"]);
    assert_eq!(names, format!("{}-web-1\n", s.name));
    s.ok(&["stop", "db"]);
    assert_eq!(s.ok(&["stats", "--no-stream", "--format", "{{.Name}}"]), format!("{}-web-1\n", s.name));
    let all = s.ok(&["stats", "--no-stream", "-a", "--format", "{{.Name}} {{.PIDs}} {{.MemUsage}}"]);
    assert!(all.contains(&format!("{}-db-1 0 0B / 0B", s.name)), "a stopped container shows zeros, as v2: {all}");
    // v2.40: an unknown service is an empty table, exit 0.
    assert_eq!(s.ok(&["stats", "--no-stream", "nosuch"]).lines().count(), 1);
}
