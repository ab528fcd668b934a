//! Waking up when containers change, instead of polling on a timer: a
//! subscription to the engine's events for a set of containers (start, die,
//! health status). Callers re-read state after each wake-up; the wait is also
//! capped, so an event lost before the subscription took hold costs at most
//! that cap, never a hang.

use std::time::Duration;

use futures::stream::BoxStream;
use futures::StreamExt;

use super::{Engine, EngineError, EngineEvent, EventQuery};

type Events = BoxStream<'static, Result<EngineEvent, EngineError>>;

/// Events of some containers.
pub struct Changes {
    events: Option<Events>,
}

/// How long a wait lasts without any event before state is read again.
pub const RECHECK: Duration = Duration::from_secs(2);

impl Changes {
    /// Subscribes to state changes of the containers `ids`.
    pub fn watch(engine: &dyn Engine, ids: &[String]) -> Changes {
        let query = EventQuery {
            types: vec!["container".into()],
            containers: ids.to_vec(),
            actions: ["start", "die", "restart", "health_status", "oom", "destroy"].map(String::from).to_vec(),
            labels: Vec::new(),
        };
        Changes { events: Some(engine.events(&query)) }
    }

    /// Waits for the next change, at most [`RECHECK`].
    pub async fn next(&mut self) {
        let Some(events) = self.events.as_mut() else {
            tokio::time::sleep(RECHECK).await;
            return;
        };
        match tokio::time::timeout(RECHECK, events.next()).await {
            Ok(Some(Ok(_))) | Err(_) => {}
            // The stream failed or ended: fall back to the timer alone.
            Ok(Some(Err(e))) => {
                tracing::debug!("event stream failed: {e}; rechecking on a timer");
                self.events = None;
            }
            Ok(None) => self.events = None,
        }
    }
}
