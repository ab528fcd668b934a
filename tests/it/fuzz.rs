//! Property tests of the loader: random text and random compose-shaped
//! documents never panic, hang or grow without bound; they load or fail
//! with located problems. RCOMPOSE_FUZZ_CASES raises the case count for long
//! runs (see RELIABILITY.md).

use proptest::prelude::*;
use serde_json::{json, Value};

use crate::support::{load_dir, project};

fn cases() -> u32 {
    std::env::var("RCOMPOSE_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(200)
}

const KEYS: &[&str] = &[
    "image",
    "build",
    "command",
    "entrypoint",
    "environment",
    "env_file",
    "ports",
    "expose",
    "volumes",
    "tmpfs",
    "depends_on",
    "healthcheck",
    "restart",
    "networks",
    "container_name",
    "labels",
    "user",
    "working_dir",
    "stop_grace_period",
    "init",
    "deploy",
    "scale",
    "secrets",
    "configs",
    "profiles",
    "extends",
    "volumes_from",
    "network_mode",
    "ulimits",
    "extra_hosts",
    "mem_limit",
    "cpus",
    "x-extra",
    "bogus",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        "[a-z0-9:/._-]{0,12}".prop_map(Value::from),
        "\\$\\{?[A-Z_]{0,4}(:?[-+?][a-z]{0,3})?\\}?".prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
        "[0-9]{1,6}(:[0-9]{1,6})?(/(tcp|udp|x))?".prop_map(Value::from),
        "[0-9]{1,4}(ms|s|m|h|x)?".prop_map(Value::from),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            prop::collection::btree_map(prop::sample::select(KEYS).prop_map(String::from), inner, 0..5).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn document() -> impl Strategy<Value = Value> {
    prop::collection::btree_map("[a-z]{1,6}", prop::collection::btree_map(prop::sample::select(KEYS).prop_map(String::from), value(), 0..6), 0..4)
        .prop_flat_map(|services| {
            let services: serde_json::Map<String, Value> = services.into_iter().map(|(k, v)| (k, Value::Object(v.into_iter().collect()))).collect();
            (Just(services), value(), value())
        })
        .prop_map(|(services, volumes, extra)| json!({"services": services, "volumes": volumes, "x-extra": extra}))
}

fn check(text: &[u8]) {
    let dir = project(&[]);
    std::fs::write(dir.path().join("compose.yaml"), text).unwrap();
    let start = std::time::Instant::now();
    match load_dir(dir.path(), &[("SET", "value")]) {
        Ok(_) => {}
        Err(f) => {
            assert!(!f.problems.0.is_empty(), "a failure with no problem");
            // Rendering must not panic either.
            let _ = rcompose::diag::render_plain(&f.problems, &f.sources);
        }
    }
    assert!(start.elapsed() < std::time::Duration::from_secs(10), "took {:?}", start.elapsed());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(text in "[ -~\\n\\t\u{e9}\u{2603}]{0,300}") {
        check(text.as_bytes());
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        check(&bytes);
    }

    #[test]
    fn random_compose_documents_never_panic(doc in document()) {
        check(serde_yaml::to_string(&doc).unwrap().as_bytes());
    }
}
