//! Rendering [`Steps`]: the one printer behind `plan` and every command's
//! `--dry-run`. A table for people (`ACTION KIND NAME (reason)`), or JSON
//! (`{"actions": [...], "warnings": [...]}`) for programs. No I/O.

use crate::reconcile::steps::Steps;

/// The steps as aligned text lines, then the warnings.
pub fn table(steps: &Steps) -> String {
    let mut out = String::new();
    for s in &steps.steps {
        let line = format!("{:<8} {:<9} {}", s.verb, s.kind, s.name);
        if s.reason.is_empty() {
            out.push_str(&line);
        } else {
            out.push_str(&format!("{line}  ({})", s.reason));
        }
        out.push('\n');
    }
    for w in &steps.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    out
}

/// The steps as pretty JSON.
pub fn json(steps: &Steps) -> String {
    let mut out = serde_json::to_string_pretty(steps).expect("steps serialize");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconcile::steps::{Noun, Step, Verb};

    fn sample() -> Steps {
        Steps {
            steps: vec![
                Step::new(Verb::Pull, Noun::Image, "postgres:16", "missing"),
                Step::new(Verb::Create, Noun::Network, "demo_default", "missing"),
                Step::new(Verb::Recreate, Noun::Container, "demo-web-1", "config changed"),
                Step::new(Verb::Run, Noun::OneOff, "web", ""),
            ],
            warnings: vec!["found orphan containers".into()],
        }
    }

    #[test]
    fn table_lines_align_and_carry_reasons() {
        let expected = "\
pull     image     postgres:16  (missing)
create   network   demo_default  (missing)
recreate container demo-web-1  (config changed)
run      one-off   web
warning: found orphan containers
";
        assert_eq!(table(&sample()), expected);
    }

    #[test]
    fn json_names_fields_as_plan_always_did() {
        let v: serde_json::Value = serde_json::from_str(&json(&sample())).unwrap();
        assert_eq!(v["actions"][0], serde_json::json!({"action": "pull", "kind": "image", "name": "postgres:16", "reason": "missing"}));
        assert_eq!(v["actions"][3]["kind"], "one-off");
        assert_eq!(v["warnings"][0], "found orphan containers");
    }
}
