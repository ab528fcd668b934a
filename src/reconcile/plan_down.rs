//! The `down` plan: which containers, networks and volumes to remove, and
//! in what order. Pure, like the `up` planner.
//!
//! Safety rules live here: named volumes go only with `-v`; external
//! volumes never; a volume labelled for another project (or created outside
//! compose) never, even when its name matches.

use crate::engine::labels;
use crate::graph::ServiceGraph;
use crate::model::Project;

use super::observe::{Observed, ObservedContainer};

#[derive(Clone, Debug, Default)]
pub struct DownOptions {
    /// `-v`: remove named and anonymous volumes too.
    pub volumes: bool,
    pub remove_orphans: bool,
    /// The project was not loaded from a file (only `-p`): everything
    /// labelled for it goes.
    pub labels_only: bool,
    /// `--rmi`: which images to remove.
    pub rmi: Option<Rmi>,
    /// `down SERVICE...`: only these services' containers, and only the
    /// networks and volumes they use that nothing left behind still uses.
    /// Empty: the whole project.
    pub services: Vec<String>,
}

/// `--rmi local` removes images built for the project (no `image:` of their
/// own); `--rmi all` every image the services use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Rmi {
    Local,
    All,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DownPlan {
    /// Containers in stop order: dependents before their dependencies.
    pub containers: Vec<Vec<(String, String)>>,
    /// Container → the containers that must have stopped before it stops
    /// (those of the services that depend on its service). The executor
    /// stops each container as soon as these have, with no wait for a whole
    /// level; `containers` is the same order written as batches.
    pub stop_after: std::collections::HashMap<String, Vec<String>>,
    pub networks: Vec<String>,
    pub volumes: Vec<String>,
    pub images: Vec<String>,
    pub warnings: Vec<String>,
}

impl DownPlan {
    pub fn is_empty(&self) -> bool {
        self.containers.iter().all(Vec::is_empty) && self.networks.is_empty() && self.volumes.is_empty() && self.images.is_empty()
    }
}

/// Engine-generated volume names are 64 hex digits.
pub fn is_anonymous(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

pub fn plan_down(project: &Project, observed: &Observed, opts: &DownOptions) -> DownPlan {
    let mut plan = DownPlan::default();
    let known = |c: &ObservedContainer| {
        opts.labels_only || c.labels.oneoff || project.services.contains_key(&c.labels.service) || project.disabled_services.contains_key(&c.labels.service)
    };
    let (mine, orphans): (Vec<&ObservedContainer>, Vec<&ObservedContainer>) = observed.containers.iter().partition(|c| known(c));
    // Orphans and services outside the graph stop first; then by reverse level.
    let mut first: Vec<(String, String)> = Vec::new();
    if opts.remove_orphans {
        first.extend(orphans.iter().map(|c| (c.name.clone(), c.id.clone())));
    } else if !orphans.is_empty() {
        let names: Vec<&str> = orphans.iter().map(|c| c.name.as_str()).collect();
        plan.warnings.push(format!(
            "found orphan containers ({}) for this project; if you removed or renamed their service, run this command with --remove-orphans to clean them up",
            names.join(", ")
        ));
    }
    let levels = ServiceGraph::build(project).levels().unwrap_or_default();
    let level_of = |service: &str| levels.iter().position(|l| l.iter().any(|s| s == service));
    first.extend(mine.iter().filter(|c| c.labels.oneoff || level_of(&c.labels.service).is_none()).map(|c| (c.name.clone(), c.id.clone())));
    plan.containers.push(first);
    for level in levels.iter().rev() {
        let batch: Vec<(String, String)> =
            mine.iter().filter(|c| !c.labels.oneoff && level.contains(&c.labels.service)).map(|c| (c.name.clone(), c.id.clone())).collect();
        plan.containers.push(batch);
    }
    plan.containers.retain(|b| !b.is_empty());
    if !levels.is_empty() {
        let graph = ServiceGraph::build(project);
        for c in &mine {
            let dependents = graph.dependents(&c.labels.service);
            let first: Vec<String> = mine.iter().filter(|o| dependents.contains(&o.labels.service.as_str())).map(|o| o.name.clone()).collect();
            if !first.is_empty() {
                plan.stop_after.insert(c.name.clone(), first);
            }
        }
    }

    let ours = |l: &std::collections::HashMap<String, String>| l.get(labels::PROJECT).is_some_and(|p| p == &project.name);
    if opts.labels_only {
        plan.networks = observed.networks.values().filter(|n| ours(&n.labels)).map(|n| n.name.clone()).collect();
    } else {
        for net in project.networks.values() {
            let name = net.name().to_string();
            if net.external {
                continue;
            }
            if let Some(found) = observed.networks.get(&name) {
                if ours(&found.labels) {
                    plan.networks.push(name);
                }
            }
        }
    }
    if opts.volumes {
        // Anonymous volumes: removed with their container, except those a
        // recreate handed to a new container by name; those go here.
        let named: Vec<String> = project.volumes.values().map(|v| v.name().to_string()).collect();
        for c in &observed.containers {
            for (vol, _) in &c.volumes {
                if !is_anonymous(vol) || named.contains(vol) || plan.volumes.contains(vol) {
                    continue;
                }
                if let Some(users) = observed.outside_users.get(vol) {
                    let warning = format!("volume {vol} is also used by {} outside the project; not removing it", users.join(", "));
                    if !plan.warnings.contains(&warning) {
                        plan.warnings.push(warning);
                    }
                    continue;
                }
                plan.volumes.push(vol.clone());
            }
        }
        if opts.labels_only {
            plan.volumes.extend(observed.volumes.values().filter(|v| ours(&v.labels)).map(|v| v.name.clone()));
        } else {
            for vol in project.volumes.values() {
                if vol.external {
                    continue;
                }
                let name = vol.name().to_string();
                let Some(found) = observed.volumes.get(&name) else { continue };
                if ours(&found.labels) {
                    plan.volumes.push(name);
                } else {
                    let owner = found.labels.get(labels::PROJECT).map(|o| format!("project \"{o}\"")).unwrap_or_else(|| "something other than compose".into());
                    plan.warnings.push(format!("volume \"{name}\" was created by {owner}; not removing it"));
                }
            }
        }
    }
    plan.volumes.sort_by_key(|v| is_anonymous(v));
    if !opts.services.is_empty() {
        narrow(&mut plan, project, observed, &opts.services);
    }
    if let Some(rmi) = opts.rmi {
        for (name, svc) in &project.services {
            if !opts.services.is_empty() && !opts.services.contains(name) {
                continue;
            }
            if rmi == Rmi::All || svc.image.is_none() {
                let image = crate::render::image_name(project, name, svc);
                if !plan.images.contains(&image) {
                    plan.images.push(image);
                }
            }
        }
    }
    plan
}

/// Keeps in `plan` only the containers of `services`, and the networks and
/// volumes those services use that no container left running still uses
/// (each kept back with a warning, as docker compose v2 does).
fn narrow(plan: &mut DownPlan, project: &Project, observed: &Observed, services: &[String]) {
    let goes = |c: &ObservedContainer| services.contains(&c.labels.service);
    let gone: Vec<&str> = observed.containers.iter().filter(|c| goes(c)).map(|c| c.name.as_str()).collect();
    for batch in &mut plan.containers {
        batch.retain(|(name, _)| gone.contains(&name.as_str()));
    }
    plan.containers.retain(|b| !b.is_empty());
    plan.stop_after.retain(|name, _| gone.contains(&name.as_str()));
    for first in plan.stop_after.values_mut() {
        first.retain(|n| gone.contains(&n.as_str()));
    }
    plan.stop_after.retain(|_, first| !first.is_empty());
    let left: Vec<&ObservedContainer> = observed.containers.iter().filter(|c| !goes(c)).collect();
    let chosen: Vec<&crate::model::Service> = services.iter().filter_map(|s| project.services.get(s)).collect();
    let their_networks: Vec<&str> =
        chosen.iter().flat_map(|s| s.networks.keys()).filter_map(|k| project.networks.get(k)).map(crate::model::Network::name).collect();
    let their_volumes: Vec<String> = chosen
        .iter()
        .flat_map(|s| &s.volumes)
        .filter_map(|m| m.source.as_ref())
        .filter_map(|src| project.volumes.get(src))
        .map(|v| v.name().to_string())
        .chain(observed.containers.iter().filter(|c| goes(c)).flat_map(|c| c.volumes.iter().map(|(v, _)| v.clone())).filter(|v| is_anonymous(v)))
        .collect();
    let mut warnings = Vec::new();
    plan.networks.retain(|n| {
        let in_use = left.iter().any(|c| c.networks.contains(n));
        if in_use && their_networks.contains(&n.as_str()) {
            warnings.push(format!("network {n} is still in use; not removing it"));
        }
        their_networks.contains(&n.as_str()) && !in_use
    });
    plan.volumes.retain(|v| {
        let in_use = left.iter().any(|c| c.volumes.iter().any(|(name, _)| name == v));
        if in_use && their_volumes.contains(v) {
            warnings.push(format!("volume {v} is still in use; not removing it"));
        }
        their_volumes.contains(v) && !in_use
    });
    plan.warnings.extend(warnings);
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::model::{Service, Volume};
    use crate::reconcile::observe::{ObservedVolume, State};

    fn container(service: &str, name: &str) -> ObservedContainer {
        ObservedContainer::example("demo", service, 1, name, "", State::Running)
    }

    fn volume(name: &str, project: Option<&str>) -> ObservedVolume {
        let labels = project.map(|p| HashMap::from([(labels::PROJECT.to_string(), p.to_string())])).unwrap_or_default();
        ObservedVolume { name: name.into(), driver: "local".into(), labels, options: HashMap::new(), mountpoint: String::new() }
    }

    fn setup() -> (Project, Observed) {
        let mut p = Project { name: "demo".into(), ..Project::default() };
        let mut web = Service::default();
        web.depends_on.insert("db".into(), crate::model::Dependency { condition: Default::default(), restart: false, required: true });
        p.services.insert("web".into(), web);
        p.services.insert("db".into(), Service::default());
        p.volumes.insert("data".into(), Volume { name: Some("demo_data".into()), ..Default::default() });
        p.volumes.insert("ext".into(), Volume { name: Some("shared".into()), external: true, ..Default::default() });
        p.volumes.insert("foreign".into(), Volume { name: Some("demo_foreign".into()), ..Default::default() });
        let mut o =
            Observed { containers: vec![container("db", "demo-db-1"), container("web", "demo-web-1"), container("gone", "demo-gone-1")], ..Default::default() };
        for v in [volume("demo_data", Some("demo")), volume("shared", None), volume("demo_foreign", Some("other"))] {
            o.volumes.insert(v.name.clone(), v);
        }
        (p, o)
    }

    #[test]
    fn dependents_stop_first_and_volumes_stay_without_v() {
        let (p, o) = setup();
        let plan = plan_down(&p, &o, &DownOptions::default());
        let order: Vec<Vec<&str>> = plan.containers.iter().map(|b| b.iter().map(|(n, _)| n.as_str()).collect()).collect();
        assert_eq!(order, vec![vec!["demo-web-1"], vec!["demo-db-1"]]);
        assert_eq!(plan.stop_after.get("demo-db-1"), Some(&vec!["demo-web-1".to_string()]), "db waits for web");
        assert_eq!(plan.stop_after.get("demo-web-1"), None, "nothing depends on web");
        assert!(plan.volumes.is_empty());
        assert!(plan.warnings[0].contains("demo-gone-1"));
    }

    #[test]
    fn down_v_never_removes_external_or_foreign_volumes() {
        let (p, o) = setup();
        let plan = plan_down(&p, &o, &DownOptions { volumes: true, remove_orphans: true, ..Default::default() });
        assert_eq!(plan.volumes, vec!["demo_data"]);
        assert!(plan.warnings.iter().any(|w| w.contains("demo_foreign") && w.contains("project \"other\"")));
        assert_eq!(plan.containers[0][0].0, "demo-gone-1");
    }

    #[test]
    fn down_v_keeps_anonymous_volumes_that_a_container_outside_the_project_mounts() {
        let (p, mut o) = setup();
        let (own, theirs) = ("a".repeat(64), "b".repeat(64));
        o.containers[0].volumes = vec![(own.clone(), "/own".into()), (theirs.clone(), "/theirs".into())];
        o.outside_users.insert(theirs.clone(), vec!["outsider".into()]);
        let plan = plan_down(&p, &o, &DownOptions { volumes: true, ..Default::default() });
        assert!(plan.volumes.contains(&own), "{:?}", plan.volumes);
        assert!(!plan.volumes.contains(&theirs), "{:?}", plan.volumes);
        assert!(plan.warnings.iter().any(|w| w.contains(&theirs) && w.contains("outsider")), "{:?}", plan.warnings);
    }

    #[test]
    fn rmi_local_takes_built_images_only() {
        let (mut p, o) = setup();
        p.services.get_mut("db").unwrap().image = Some("postgres:15".into());
        let local = plan_down(&p, &o, &DownOptions { rmi: Some(Rmi::Local), ..Default::default() });
        assert_eq!(local.images, vec!["demo-web"]);
        let all = plan_down(&p, &o, &DownOptions { rmi: Some(Rmi::All), ..Default::default() });
        assert_eq!(all.images, vec!["demo-web", "postgres:15"]);
    }

    #[test]
    fn down_of_some_services_keeps_what_the_others_still_use() {
        let (mut p, mut o) = setup();
        p.networks.insert("default".into(), crate::model::Network { name: Some("demo_default".into()), ..Default::default() });
        for s in p.services.values_mut() {
            s.networks.insert("default".into(), None);
        }
        p.services["db"].volumes.push(crate::model::ServiceVolume { source: Some("data".into()), target: "/data".into(), ..Default::default() });
        o.networks.insert(
            "demo_default".into(),
            crate::reconcile::observe::ObservedNetwork {
                name: "demo_default".into(),
                id: "n1".into(),
                labels: HashMap::from([(labels::PROJECT.to_string(), "demo".to_string())]),
            },
        );
        for c in &mut o.containers {
            c.networks = vec!["demo_default".into()];
            if c.labels.service == "db" {
                c.volumes = vec![("demo_data".into(), "/data".into())];
            }
        }
        let web = plan_down(&p, &o, &DownOptions { volumes: true, services: vec!["web".into()], ..Default::default() });
        let names: Vec<&str> = web.containers.iter().flatten().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["demo-web-1"]);
        assert!(web.networks.is_empty(), "db still uses the network");
        assert!(web.warnings.iter().any(|w| w == "network demo_default is still in use; not removing it"), "{:?}", web.warnings);
        assert!(web.volumes.is_empty(), "web uses no volume");
        let db = plan_down(&p, &o, &DownOptions { volumes: true, services: vec!["db".into()], ..Default::default() });
        assert_eq!(db.volumes, vec!["demo_data"], "db's volume goes with -v");
        assert!(db.stop_after.is_empty(), "web stays, so db waits for nothing");
    }
}
