//! Hostile input: clear errors, never a panic, a hang or unbounded memory.

use std::time::{Duration, Instant};

use crate::support::{load_dir, project, rendered};

fn expect_error_quickly(text: &[u8], code: &str) -> String {
    let dir = project(&[]);
    std::fs::write(dir.path().join("compose.yaml"), text).unwrap();
    let start = Instant::now();
    let f = load_dir(dir.path(), &[]).expect_err("hostile input must be refused");
    assert!(start.elapsed() < Duration::from_secs(20), "took {:?}", start.elapsed());
    assert!(f.problems.0.iter().any(|p| p.code == code), "wanted {code}, got {:?}", f.problems);
    rendered(&f)
}

#[test]
fn billion_laughs_is_refused() {
    let mut text = String::from("x-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        let p = i - 1;
        text.push_str(&format!("x-a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
    }
    text.push_str("services:\n  web:\n    image: nginx\n");
    let out = expect_error_quickly(text.as_bytes(), "rcompose::yaml_too_large");
    assert!(out.contains("alias"), "{out}");
}

#[test]
fn deep_nesting_is_refused() {
    let text = format!("x-deep: {}{}\nservices: {{}}\n", "[".repeat(100_000), "]".repeat(100_000));
    expect_error_quickly(text.as_bytes(), "rcompose::yaml_too_deep");
}

#[test]
fn invalid_utf8_is_refused_with_position() {
    let out = expect_error_quickly(b"services:\n  web:\n    image: ngin\xff\xfex\n", "rcompose::not_utf8");
    assert!(out.contains("compose.yaml:3:"), "{out}");
}

#[test]
fn empty_and_whitespace_files_are_refused() {
    expect_error_quickly(b"", "rcompose::empty_file");
    expect_error_quickly(b"\n# only a comment\n", "rcompose::empty_file");
}

#[test]
fn nul_bytes_are_refused() {
    expect_error_quickly(b"services:\n  web:\n    image: a\x00b\n", "rcompose::yaml_syntax");
}

#[test]
fn ten_megabyte_file_loads_or_fails_clearly() {
    // 10 MB of environment entries: valid, so it must load, and in bounded time.
    let mut text = String::from("services:\n  web:\n    image: nginx\n    environment:\n");
    let mut i = 0;
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(&format!("      VAR_{i}: \"{}\"\n", "v".repeat(100)));
        i += 1;
    }
    let dir = project(&[("compose.yaml", &text)]);
    let start = Instant::now();
    let p = load_dir(dir.path(), &[]).expect("a large valid file loads").project;
    assert_eq!(p.services["web"].environment.len(), i);
    assert!(start.elapsed() < Duration::from_secs(60), "took {:?}", start.elapsed());
}

#[test]
fn huge_numbers_and_ports_are_refused() {
    expect_error_quickly(b"services:\n  web:\n    image: a\n    ports: ['99999999999999999999:80']\n", "rcompose::invalid_port");
    expect_error_quickly(b"services:\n  web:\n    image: a\n    scale: 99999999999999999999999\n", "rcompose::wrong_type");
    expect_error_quickly(b"services:\n  web:\n    image: a\n    ports:\n      - target: 70000\n", "rcompose::wrong_type");
}
