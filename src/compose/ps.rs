//! `ps` as an operation: the project's containers chosen the way docker
//! compose v2 chooses them, each with the health and exit code an inspect
//! reports. Returns data; rendering is [`crate::render::ps`]'s.

use crate::engine::{ContainerRef, Engine, Health, State};
use crate::model::Project;
use crate::reconcile::observe::{observe_containers, ObservedContainer};
use crate::Error;

/// Which containers to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PsRequest {
    /// Stopped and one-off containers too (`-a`; a status filter implies it).
    pub all: bool,
    /// Only these services (all when empty).
    pub services: Vec<String>,
    /// Only containers in one of these states, in the engine's words
    /// (`running`, `exited`, ...; all when empty). An unknown word matches
    /// nothing, as in v2.
    pub status: Vec<String>,
}

/// One listed container.
#[derive(Clone, Debug, PartialEq)]
pub struct PsEntry {
    pub container: ObservedContainer,
    /// Only while running, as v2 reports it.
    pub health: Option<Health>,
    /// Only once exited or dead; 0 otherwise.
    pub exit_code: i64,
}

/// Lists the chosen containers, by name.
pub async fn ps(engine: &dyn Engine, project: &Project, request: &PsRequest) -> Result<Vec<PsEntry>, Error> {
    let observed = observe_containers(engine, project).await?;
    let all = request.all || !request.status.is_empty();
    let chosen: Vec<ObservedContainer> = observed.containers.into_iter().filter(|c| chosen(c, request, all)).collect();
    let inspected = futures::future::join_all(chosen.into_iter().map(|c| async move {
        let details = engine.inspect_container(ContainerRef::new(&c.id, &c.name)).await;
        (c, details)
    }))
    .await;
    let mut entries = Vec::new();
    for (container, details) in inspected {
        let details = match details {
            Ok(d) => d,
            // Removed between the list and the inspect: no longer there to show.
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(e.into()),
        };
        let health = (details.state == State::Running).then_some(details.health).flatten();
        let exit_code = match details.state {
            State::Exited | State::Dead => details.exit_code.unwrap_or(0),
            _ => 0,
        };
        entries.push(PsEntry { container, health, exit_code });
    }
    entries.sort_by(|a, b| a.container.name.cmp(&b.container.name));
    Ok(entries)
}

fn chosen(c: &ObservedContainer, request: &PsRequest, all: bool) -> bool {
    let live = matches!(c.state, State::Running | State::Restarting | State::Paused);
    (all || (live && !c.labels.oneoff))
        && (request.services.is_empty() || request.services.contains(&c.labels.service))
        && (request.status.is_empty() || request.status.iter().any(|s| s == c.state.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(name: &str, state: State, oneoff: bool) -> ObservedContainer {
        let mut c = ObservedContainer::example("p", "web", 1, name, "h", state);
        c.labels.oneoff = oneoff;
        c
    }

    #[test]
    fn chooses_like_v2() {
        let running = container("p-web-1", State::Running, false);
        let exited = container("p-web-2", State::Exited, false);
        let oneoff = container("p-web-run-1", State::Exited, true);
        let plain = PsRequest::default();
        assert!(chosen(&running, &plain, false));
        assert!(!chosen(&exited, &plain, false));
        let all = PsRequest { all: true, ..PsRequest::default() };
        assert!(chosen(&exited, &all, true) && chosen(&oneoff, &all, true));
        // A status filter reaches one-offs without `-a`, as v2's does.
        let status = PsRequest { status: vec!["exited".into()], ..PsRequest::default() };
        assert!(chosen(&oneoff, &status, true) && !chosen(&running, &status, true));
        let other = PsRequest { services: vec!["db".into()], ..PsRequest::default() };
        assert!(!chosen(&running, &other, false));
    }
}
