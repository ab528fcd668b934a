//! Every bad input under tests/fixtures/diagnostics renders exactly as its
//! expected.txt: message, file:line:col, caret and help.

use crate::support::{expect_file, fixtures, load_dir, rendered};

#[test]
fn diagnostics_render_as_expected() {
    let root = fixtures().join("diagnostics");
    let mut cases: Vec<_> = std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    assert!(cases.len() >= 15, "expected at least 15 diagnostic cases, found {}", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        match load_dir(case, &[]) {
            Ok(_) => failures.push(format!("{}: loaded without error", case.display())),
            Err(f) => {
                let text = rendered(&f);
                assert!(text.contains("compose.yaml"), "{}: diagnostic names no file:\n{text}", case.display());
                if let Err(e) = expect_file(&case.join("expected.txt"), &text) {
                    failures.push(e);
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
