//! What a changing command will do, as a flat list of steps with reasons:
//! the one shape `plan`, `--dry-run` and the library's outcomes share, so
//! that every command's dry run is rendered by the same code
//! (`render::plan`). Pure data; nothing here reads the engine or prints.

use std::fmt;

use serde::Serialize;

use super::plan::{Op, Plan};
use super::plan_down::DownPlan;

/// What happens to a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verb {
    Build,
    Pull,
    Create,
    Recreate,
    Start,
    Keep,
    Stop,
    Restart,
    Kill,
    Pause,
    Unpause,
    Remove,
    Run,
    Exec,
    Copy,
    Write,
}

/// What kind of resource a step is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Noun {
    Image,
    Network,
    Volume,
    Container,
    #[serde(rename = "one-off")]
    OneOff,
    File,
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        f.pad(&text)
    }
}

impl fmt::Display for Noun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        f.pad(&text)
    }
}

/// One thing a command will do, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    #[serde(rename = "action")]
    pub verb: Verb,
    pub kind: Noun,
    pub name: String,
    /// Why; empty when the command itself is the reason.
    pub reason: String,
}

impl Step {
    pub fn new(verb: Verb, kind: Noun, name: impl Into<String>, reason: impl Into<String>) -> Step {
        Step { verb, kind, name: name.into(), reason: reason.into() }
    }
}

/// The steps of a changing command, with the warnings it would give.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Steps {
    #[serde(rename = "actions")]
    pub steps: Vec<Step>,
    pub warnings: Vec<String>,
}

impl Steps {
    pub fn push(&mut self, step: Step) {
        self.steps.push(step);
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

/// One `up` operation as a step.
pub fn op_step(op: &Op) -> Step {
    let c = |verb, name: &String, reason: String| Step::new(verb, Noun::Container, name.clone(), reason);
    match op {
        Op::CreateNetwork { name, .. } => Step::new(Verb::Create, Noun::Network, name.clone(), "missing"),
        Op::CreateVolume { name, .. } => Step::new(Verb::Create, Noun::Volume, name.clone(), "missing"),
        Op::CreateContainer { name, replaces: None, cause, .. } => c(Verb::Create, name, cause.to_string()),
        Op::CreateContainer { name, replaces: Some(_), cause, .. } => c(Verb::Recreate, name, cause.to_string()),
        Op::StartContainer { name, cause, .. } => c(Verb::Start, name, cause.to_string()),
        Op::KeepContainer { name, .. } => c(Verb::Keep, name, "up to date".into()),
        Op::RemoveContainer { name, cause, .. } => c(Verb::Remove, name, cause.to_string()),
    }
}

/// The container, network and volume steps of an `up` plan.
pub fn up_steps(plan: &Plan) -> Steps {
    Steps { steps: plan.ops.iter().map(op_step).collect(), warnings: plan.warnings.clone() }
}

/// The steps of a `down` plan, in the order they are carried out.
pub fn down_steps(plan: &DownPlan, volumes: bool) -> Steps {
    let mut steps = Steps { steps: Vec::new(), warnings: plan.warnings.clone() };
    for (name, _) in plan.containers.iter().flatten() {
        steps.push(Step::new(Verb::Remove, Noun::Container, name.clone(), ""));
    }
    for n in &plan.networks {
        steps.push(Step::new(Verb::Remove, Noun::Network, n.clone(), ""));
    }
    for v in &plan.volumes {
        steps.push(Step::new(Verb::Remove, Noun::Volume, v.clone(), if volumes { "-v" } else { "" }));
    }
    for i in &plan.images {
        steps.push(Step::new(Verb::Remove, Noun::Image, i.clone(), "--rmi"));
    }
    steps
}
