//! The fake's event stream: what it emits, filtered as the engine filters
//! an events query (types, actions with their `action: detail` forms,
//! containers by id or name, labels).

use futures::stream::BoxStream;
use futures::StreamExt;
use tokio::sync::broadcast;

use super::super::{EngineError, EngineEvent, EventQuery};

/// The events sent from now on that `query` asks for.
pub(super) fn follow(rx: broadcast::Receiver<EngineEvent>, query: EventQuery) -> BoxStream<'static, Result<EngineEvent, EngineError>> {
    futures::stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(e) => return Some((Ok(e), rx)),
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
    .filter(move |e| std::future::ready(e.as_ref().map_or(true, |e| wanted(&query, e))))
    .boxed()
}

fn wanted(query: &EventQuery, e: &EngineEvent) -> bool {
    let name = e.attributes.get("name").cloned().unwrap_or_default();
    (query.types.is_empty() || query.types.contains(&e.kind))
        && (query.actions.is_empty() || query.actions.iter().any(|a| e.action == *a || e.action.starts_with(&format!("{a}:"))))
        && (query.containers.is_empty() || query.containers.iter().any(|c| *c == e.id || *c == name))
        && query.labels.iter().all(|f| f.split_once('=').is_some_and(|(k, v)| e.attributes.get(k).is_some_and(|x| x == v)))
}
