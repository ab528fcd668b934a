//! Waking up when containers change, instead of polling on a timer: a
//! subscription to the engine's events for a set of containers (start, die,
//! health status). Callers re-read state after each wake-up; the wait is also
//! capped, so an event lost before the subscription took hold costs at most
//! that cap, never a hang.

use std::collections::HashMap;
use std::pin::Pin;
use std::time::Duration;

use bollard::query_parameters::EventsOptionsBuilder;
use futures::{Stream, StreamExt};

use super::Engine;

type Events = Pin<Box<dyn Stream<Item = Result<bollard::models::EventMessage, bollard::errors::Error>> + Send>>;

/// Events of some containers.
pub struct Changes {
    events: Option<Events>,
}

/// How long a wait lasts without any event before state is read again.
pub const RECHECK: Duration = Duration::from_secs(2);

impl Changes {
    /// Subscribes to state changes of the containers `ids`.
    pub fn watch(engine: &Engine, ids: &[String]) -> Changes {
        let filters = HashMap::from([
            ("type".to_string(), vec!["container".to_string()]),
            ("container".to_string(), ids.to_vec()),
            ("event".to_string(), ["start", "die", "restart", "health_status", "oom", "destroy"].map(String::from).to_vec()),
        ]);
        let stream = engine.docker.events(Some(EventsOptionsBuilder::default().filters(&filters).build()));
        Changes { events: Some(Box::pin(stream)) }
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
