//! `rcompose plan`: what `up` would do and why, one line per action, with
//! no change to the engine. Also used by `up --dry-run`.

use std::process::ExitCode;

use super::up::UpArgs;
use super::{connect, GlobalArgs};
use crate::reconcile::observe::observe;
use crate::reconcile::plan::{image_ref, plan_up, Op, Plan};
use crate::Error;

#[derive(clap::Args, Debug, Default)]
pub struct PlanArgs {
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    pub format: super::ps::Format,
    #[command(flatten)]
    pub up: UpArgs,
}

/// One plan line as data: action, resource kind, name, reason.
pub fn describe(op: &Op) -> (&'static str, &'static str, String, String) {
    match op {
        Op::CreateNetwork { name, .. } => ("create", "network", name.clone(), "missing".into()),
        Op::CreateVolume { name, .. } => ("create", "volume", name.clone(), "missing".into()),
        Op::CreateContainer { name, replaces: None, cause, .. } => ("create", "container", name.clone(), cause.to_string()),
        Op::CreateContainer { name, replaces: Some(_), cause, .. } => ("recreate", "container", name.clone(), cause.to_string()),
        Op::StartContainer { name, cause, .. } => ("start", "container", name.clone(), cause.to_string()),
        Op::KeepContainer { name, .. } => ("keep", "container", name.clone(), "up to date".into()),
        Op::RemoveContainer { name, cause, .. } => ("remove", "container", name.clone(), cause.to_string()),
    }
}

pub fn render(plan: &Plan, format: super::ps::Format) -> String {
    let mut out = String::new();
    if format == super::ps::Format::Json {
        let rows: Vec<serde_json::Value> = plan
            .ops
            .iter()
            .map(|op| {
                let (action, kind, name, reason) = describe(op);
                serde_json::json!({"action": action, "kind": kind, "name": name, "reason": reason})
            })
            .collect();
        let doc = serde_json::json!({"actions": rows, "warnings": plan.warnings});
        out.push_str(&serde_json::to_string_pretty(&doc).expect("json"));
        out.push('\n');
        return out;
    }
    for op in &plan.ops {
        let (action, kind, name, reason) = describe(op);
        out.push_str(&format!("{action:<8} {kind:<9} {name}  ({reason})\n"));
    }
    for w in &plan.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    out
}

/// Computes the `up` plan without touching the engine's state.
pub async fn compute(global: &GlobalArgs, args: &UpArgs) -> Result<Plan, Error> {
    let project = global.load()?.project;
    let opts = args.options()?;
    let engine = connect().await?;
    let images: Vec<String> = project.services.iter().map(|(n, s)| image_ref(&project, n, s)).collect();
    let observed = observe(&engine, &project, &images).await?;
    Ok(plan_up(&project, &observed, &opts)?)
}

pub fn run(global: &GlobalArgs, args: &PlanArgs) -> Result<ExitCode, Error> {
    let rt = super::runtime()?;
    let plan = rt.block_on(compute(global, &args.up))?;
    super::print_stdout(&render(&plan, args.format))
}
