//! Carrying out a `down` plan: each container stops as soon as the
//! containers that depend on it have, and is removed right after, with a
//! bounded number of shutdowns under way at once; then networks and volumes
//! go, together, and images. Decisions are the planner's
//! (`plan_down`); this only acts and reports.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::StreamExt;
use tokio::sync::{watch, Semaphore};

use super::execute::{ExecError, Executor};
use crate::engine::{labels, ContainerRef, EventQuery};
use crate::progress::{Kind, Status};

/// How many containers may be in their shutdown (stop, then removal) at
/// once. Most of a shutdown's cost is the engine's: after the process dies
/// it tears down the network endpoint, mounts and state, then deletes the
/// container's layer and anonymous volumes. Many of these at once only
/// queue up inside the engine and slow each other: on a 2-core engine a
/// 50-service `down -v` took 4.2 s unpaced and 3.4 s paced at 16
/// (BENCHMARKS.md).
const BUSY_SHUTDOWNS: usize = 16;

/// A container not dead this long after its stop was asked is most likely
/// waiting out its grace period (it ignores SIGTERM), which costs the
/// engine nothing: it gives its place up, so that containers like it never
/// wait out their grace periods in turns.
const PATIENCE: std::time::Duration = std::time::Duration::from_millis(500);

/// Where a container is in its shutdown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Waiting,
    Stopping,
    Stopped,
}

impl Executor<'_> {
    /// Stops (honouring the stop timeout) and removes a container.
    pub async fn stop_and_remove(&self, name: &str, id: &str, timeout: Option<i32>, remove_volumes: bool) -> Result<(), ExecError> {
        if self.stop(name, id, timeout).await? {
            self.remove(name, id, remove_volumes).await?;
        }
        Ok(())
    }

    /// Stops a container; false when it no longer exists.
    pub(super) async fn stop(&self, name: &str, id: &str, timeout: Option<i32>) -> Result<bool, ExecError> {
        self.emit(Kind::Container, name, Status::Stopping);
        match self.engine.stop_container(ContainerRef::new(id, name), timeout).await {
            Ok(()) => {}
            Err(e) if e.is_not_found() => return Ok(false),
            Err(e) => return Err(e.into()),
        }
        self.emit(Kind::Container, name, Status::Stopped);
        Ok(true)
    }

    pub(super) async fn remove(&self, name: &str, id: &str, remove_volumes: bool) -> Result<(), ExecError> {
        self.emit(Kind::Container, name, Status::Removing);
        match self.engine.remove_container(ContainerRef::new(id, name), remove_volumes).await {
            Ok(()) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) if e.is_conflict() => {} // removal already in progress
            Err(e) => return Err(e.into()),
        }
        self.emit(Kind::Container, name, Status::Removed);
        Ok(())
    }

    /// Carries out a `down` plan: each container stops as soon as the
    /// containers that depend on it have stopped, and is removed right after;
    /// then networks and volumes, together; then images.
    pub async fn down(&self, plan: &super::plan_down::DownPlan, timeout: Option<i32>, remove_volumes: bool) -> Result<(), ExecError> {
        for w in &plan.warnings {
            self.reporter.warning(w);
        }
        let all: Vec<&(String, String)> = plan.containers.iter().flatten().collect();
        let stopped: HashMap<&str, watch::Sender<Phase>> = all.iter().map(|(name, _)| (name.as_str(), watch::channel(Phase::Waiting).0)).collect();
        // Once the engine has stopped answering, each call still to come
        // would wait out its whole time limit, level after level of the
        // graph: those calls are skipped, and the first failure reported.
        let unanswered = AtomicBool::new(false);
        let busy = Semaphore::new(BUSY_SHUTDOWNS);
        let note = |e: ExecError| {
            if matches!(&e, ExecError::Engine(inner) if inner.is_unanswered()) {
                unanswered.store(true, Ordering::SeqCst);
            }
            e
        };
        let work = futures::future::join_all(all.iter().map(|(name, id)| {
            let (stopped, unanswered, note, busy) = (&stopped, &unanswered, &note, &busy);
            async move {
                for first in plan.stop_after.get(name).into_iter().flatten() {
                    if let Some(tx) = stopped.get(first.as_str()) {
                        let _ = tx.subscribe().wait_for(|p| *p == Phase::Stopped).await;
                    }
                }
                let _permit = self.permit().await;
                // Held until the container is removed, or given up early by
                // one that does not die (see PATIENCE).
                let mut slot = Some(busy.acquire().await.expect("semaphore is never closed"));
                let phase = &stopped[name.as_str()];
                if unanswered.load(Ordering::SeqCst) {
                    phase.send_replace(Phase::Stopped);
                    return Ok(());
                }
                phase.send_replace(Phase::Stopping);
                let stop = self.stop(name, id, timeout);
                tokio::pin!(stop);
                let outcome = loop {
                    tokio::select! {
                        outcome = &mut stop => break outcome,
                        () = still_alive_after(phase, PATIENCE), if slot.is_some() => slot = None,
                    }
                };
                // Dependencies may go now, even when this stop failed: the
                // error is reported below, and nothing waits forever.
                phase.send_replace(Phase::Stopped);
                if outcome.map_err(note)? {
                    self.remove(name, id, remove_volumes).await.map_err(note)?;
                }
                drop(slot);
                Ok::<(), ExecError>(())
            }
        }));
        // A container's process is gone at its `die` event; the engine's
        // clean-up before the stop call returns takes a few hundred ms more,
        // which its dependencies need not wait for.
        let dies = self.die_events(&stopped);
        tokio::pin!(work);
        let results = tokio::select! {
            results = &mut work => results,
            () = dies => work.await,
        };
        results.into_iter().collect::<Result<Vec<_>, _>>()?;
        let engine = self.engine;
        // Networks and volumes do not depend on each other: both go at once,
        // and a network the engine refuses to remove keeps no volume.
        let networks = async {
            if !plan.networks.is_empty() {
                self.drop_duplicate_networks().await?;
            }
            self.remove_all(Kind::Network, &plan.networks, |n| engine.remove_network(n)).await
        };
        let volumes = self.remove_all(Kind::Volume, &plan.volumes, |v| engine.remove_volume(v));
        let (networks, volumes) = futures::join!(networks, volumes);
        networks?;
        volumes?;
        for image in &plan.images {
            self.emit(Kind::Image, image, Status::Removing);
            match engine.remove_image(image).await {
                Ok(_) => self.emit(Kind::Image, image, Status::Removed),
                Err(e) if e.is_not_found() => {}
                Err(e) if e.is_conflict() => self.reporter.warning(&format!("image {image} is still in use; not removed")),
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Marks containers stopped as their `die` events arrive; ends only if
    /// the event stream does (then the stop calls' answers still count).
    async fn die_events(&self, stopped: &HashMap<&str, watch::Sender<Phase>>) {
        let query = EventQuery {
            types: vec!["container".into()],
            actions: vec!["die".into()],
            labels: vec![labels::project_filter(&self.project.name)],
            containers: Vec::new(),
        };
        let mut events = self.engine.events(&query);
        while let Some(Ok(mut event)) = events.next().await {
            let name = event.attributes.remove("name");
            if let Some(tx) = name.and_then(|n| stopped.get(n.as_str())) {
                // Only a death we caused: one of a container still restarting
                // on its own before its turn says nothing about its stop.
                tx.send_if_modified(|p| {
                    let ours = *p == Phase::Stopping;
                    if ours {
                        *p = Phase::Stopped;
                    }
                    ours
                });
            }
        }
    }
}

/// Ends once `PATIENCE` has passed with the container still not dead;
/// otherwise never.
async fn still_alive_after(phase: &watch::Sender<Phase>, patience: std::time::Duration) {
    tokio::time::sleep(patience).await;
    if *phase.borrow() != Phase::Stopping {
        std::future::pending::<()>().await;
    }
}
