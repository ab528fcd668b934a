//! Holding still the containers that write to some volumes, for a
//! consistent copy: stopped (or paused) from dependents down to
//! dependencies, and started (or unpaused) again from the bottom up,
//! whatever happened meanwhile.

use crate::compose::lifecycle::{act, by_level, Action};
use crate::engine::{Engine, State};
use crate::model::Project;
use crate::progress::Reporter;
use crate::reconcile::observe::{Observed, ObservedContainer};
use crate::reconcile::steps::{Noun, Step, Steps, Verb};
use crate::Error;

/// Containers held still, to be let go with [`Quiesced::resume`].
#[must_use = "the containers stay stopped until resumed"]
pub struct Quiesced {
    /// By level, dependencies first, each as it is now.
    levels: Vec<Vec<ObservedContainer>>,
    pause: bool,
}

/// The running containers that mount one of `volumes` (engine names)
/// writable.
pub fn writers<'a>(observed: &'a Observed, volumes: &[String]) -> Vec<&'a ObservedContainer> {
    observed
        .containers
        .iter()
        .filter(|c| c.state == State::Running)
        .filter(|c| c.mounts.iter().any(|m| m.kind == "volume" && m.read_write && m.name.as_ref().is_some_and(|n| volumes.contains(n))))
        .collect()
}

/// `containers` in start order: dependencies first.
pub fn start_order<'a>(project: &Project, containers: &[&'a ObservedContainer]) -> Vec<&'a ObservedContainer> {
    by_level(project, containers).into_iter().flatten().collect()
}

/// The steps of holding `order` (start order) still around `work`: each
/// stopped (or paused) from dependents down, then `work`, then each let go
/// from dependencies up; `why` gives the reasons of the two.
pub fn held_around(order: &[&ObservedContainer], pause: bool, why: (&str, &str), work: Vec<Step>) -> Steps {
    let (hold, release) = if pause { (Verb::Pause, Verb::Unpause) } else { (Verb::Stop, Verb::Start) };
    let mut steps = Steps::default();
    for c in order.iter().rev() {
        steps.push(Step::new(hold, Noun::Container, c.name.clone(), why.0));
    }
    for step in work {
        steps.push(step);
    }
    for c in order {
        steps.push(Step::new(release, Noun::Container, c.name.clone(), why.1));
    }
    steps
}

/// Stops (or pauses) `containers`, dependents first. A failure part way
/// starts again those already stopped and returns the error.
pub async fn quiesce(
    engine: &dyn Engine,
    project: &Project,
    containers: &[&ObservedContainer],
    pause: bool,
    reporter: &dyn Reporter,
) -> Result<Quiesced, Error> {
    let levels = by_level(project, containers);
    let mut done = Quiesced { levels: Vec::new(), pause };
    let action = if pause { Action::Pause } else { Action::Stop(None) };
    for level in levels.iter().rev() {
        let results = futures::future::join_all(level.iter().map(|c| act(engine, project, &action, c, reporter))).await;
        let held: Vec<ObservedContainer> =
            level.iter().map(|c| ObservedContainer { state: if pause { State::Paused } else { State::Exited }, ..(*c).clone() }).collect();
        done.levels.insert(0, held);
        if let Some(e) = results.into_iter().find_map(Result::err) {
            done.resume(engine, project, reporter).await;
            return Err(e.into());
        }
    }
    Ok(done)
}

impl Quiesced {
    /// The containers held, by name.
    pub fn names(&self) -> Vec<&str> {
        self.levels.iter().flatten().map(|c| c.name.as_str()).collect()
    }

    /// Starts (or unpauses) every held container, dependencies first. Each
    /// is tried even when another fails; the failures are reported and
    /// returned as names.
    pub async fn resume(self, engine: &dyn Engine, project: &Project, reporter: &dyn Reporter) -> Vec<String> {
        let action = if self.pause { Action::Unpause } else { Action::Start };
        let mut failed = Vec::new();
        for level in &self.levels {
            let results = futures::future::join_all(level.iter().map(|c| act(engine, project, &action, c, reporter))).await;
            for (c, r) in level.iter().zip(results) {
                if let Err(e) = r {
                    reporter.warning(&format!("could not start {} again: {e}", c.name));
                    failed.push(c.name.clone());
                }
            }
        }
        failed
    }
}
