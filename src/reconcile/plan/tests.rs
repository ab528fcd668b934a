use std::collections::HashMap;

use super::*;
use crate::model::{Network, ServiceVolume, Volume};
use crate::reconcile::observe::{ObservedNetwork, ObservedVolume};

fn project() -> Project {
    let mut p = Project { name: "demo".into(), ..Project::default() };
    let mut db = Service { image: Some("postgres".into()), ..Service::default() };
    db.volumes.push(ServiceVolume { kind: MountType::Volume, source: Some("data".into()), target: "/var/lib/postgresql/data".into(), ..Default::default() });
    db.networks.insert("default".into(), None);
    let mut web = Service { image: Some("nginx".into()), ..Service::default() };
    web.depends_on.insert("db".into(), crate::model::Dependency { condition: Default::default(), restart: false, required: true });
    web.networks.insert("default".into(), None);
    p.services.insert("web".into(), web);
    p.services.insert("db".into(), db);
    p.networks.insert("default".into(), Network { name: Some("demo_default".into()), ..Default::default() });
    p.volumes.insert("data".into(), Volume { name: Some("demo_data".into()), ..Default::default() });
    p
}

/// The state the engine would report after carrying out `plan`.
fn observed_after(project: &Project, before: &Observed, plan: &Plan) -> Observed {
    let mut o = before.clone();
    for op in &plan.ops {
        match op {
            Op::CreateNetwork { name, .. } => {
                o.networks.insert(name.clone(), ObservedNetwork { name: name.clone(), id: format!("id-{name}"), labels: HashMap::new() });
            }
            Op::CreateVolume { name, .. } => {
                let labels = HashMap::from([(crate::engine::labels::PROJECT.to_string(), project.name.clone())]);
                o.volumes.insert(
                    name.clone(),
                    ObservedVolume { name: name.clone(), driver: "local".into(), labels, options: HashMap::new(), mountpoint: String::new() },
                );
            }
            Op::CreateContainer { service, number, name, replaces, .. } => {
                if let Some(r) = replaces {
                    o.containers.retain(|c| c.id != r.id);
                }
                o.containers.push(container(service, *number, name, &config_hash(&project.services[service]), State::Running));
            }
            Op::StartContainer { id, .. } => {
                for c in o.containers.iter_mut().filter(|c| &c.id == id) {
                    c.state = State::Running;
                }
            }
            Op::RemoveContainer { id, .. } => o.containers.retain(|c| &c.id != id),
            Op::KeepContainer { .. } => {}
        }
    }
    o
}

fn container(service: &str, number: u32, name: &str, hash: &str, state: State) -> ObservedContainer {
    ObservedContainer::example("demo", service, number, name, hash, state)
}

fn lines(plan: &Plan) -> Vec<String> {
    plan.ops.iter().map(std::string::ToString::to_string).collect()
}

#[test]
fn cold_start_creates_everything_in_dependency_order() {
    let p = project();
    let plan = plan_up(&p, &Observed::default(), &UpOptions::default()).unwrap();
    assert_eq!(
        lines(&plan),
        vec![
            "create network demo_default (missing)",
            "create volume demo_data (missing)",
            "create container demo-db-1 (missing)",
            "create container demo-web-1 (missing)",
        ]
    );
    assert_eq!(plan.services, vec!["db", "web"]);
}

#[test]
fn plan_is_idempotent() {
    let p = project();
    let first = plan_up(&p, &Observed::default(), &UpOptions::default()).unwrap();
    let after = observed_after(&p, &Observed::default(), &first);
    let second = plan_up(&p, &after, &UpOptions::default()).unwrap();
    assert!(second.changes_nothing(), "{:?}", lines(&second));
    assert_eq!(observed_after(&p, &after, &second), after);
}

#[test]
fn changed_service_alone_is_recreated() {
    let p = project();
    let after = observed_after(&p, &Observed::default(), &plan_up(&p, &Observed::default(), &UpOptions::default()).unwrap());
    let mut changed = p.clone();
    changed.services.get_mut("web").unwrap().environment.insert("A".into(), Some("1".into()));
    let plan = plan_up(&changed, &after, &UpOptions::default()).unwrap();
    assert_eq!(lines(&plan), vec!["keep container demo-db-1 (up to date)", "recreate container demo-web-1 (config changed)"]);
    let again = plan_up(&changed, &observed_after(&changed, &after, &plan), &UpOptions::default()).unwrap();
    assert!(again.changes_nothing());
}

#[test]
fn force_and_no_recreate() {
    let p = project();
    let after = observed_after(&p, &Observed::default(), &plan_up(&p, &Observed::default(), &UpOptions::default()).unwrap());
    let forced = plan_up(&p, &after, &UpOptions { force_recreate: true, ..Default::default() }).unwrap();
    assert!(lines(&forced).iter().all(|l| l.contains("--force-recreate")));
    let mut changed = p.clone();
    changed.services.get_mut("db").unwrap().environment.insert("A".into(), Some("1".into()));
    let kept = plan_up(&changed, &after, &UpOptions { no_recreate: true, ..Default::default() }).unwrap();
    assert!(kept.changes_nothing());
}

#[test]
fn stopped_containers_are_started() {
    let p = project();
    let mut after = observed_after(&p, &Observed::default(), &plan_up(&p, &Observed::default(), &UpOptions::default()).unwrap());
    after.containers.iter_mut().for_each(|c| c.state = State::Exited);
    let plan = plan_up(&p, &after, &UpOptions::default()).unwrap();
    assert_eq!(lines(&plan), vec!["start container demo-db-1 (not running)", "start container demo-web-1 (not running)"]);
}

#[test]
fn scale_up_and_down() {
    let p = project();
    let after = observed_after(&p, &Observed::default(), &plan_up(&p, &Observed::default(), &UpOptions::default()).unwrap());
    let up = UpOptions { scale: HashMap::from([("web".to_string(), 3)]), ..Default::default() };
    let plan = plan_up(&p, &after, &up).unwrap();
    assert!(lines(&plan).contains(&"create container demo-web-3 (missing)".to_string()), "{:?}", lines(&plan));
    let three = observed_after(&p, &after, &plan);
    assert_eq!(three.service_containers("web").len(), 3);
    let down = plan_up(&p, &three, &UpOptions::default()).unwrap();
    assert_eq!(lines(&down).iter().filter(|l| l.contains("scaled down")).count(), 2);
}

#[test]
fn orphans_warn_or_are_removed() {
    let p = project();
    let mut after = observed_after(&p, &Observed::default(), &plan_up(&p, &Observed::default(), &UpOptions::default()).unwrap());
    after.containers.push(container("old", 1, "demo-old-1", "x", State::Running));
    let plan = plan_up(&p, &after, &UpOptions::default()).unwrap();
    assert!(plan.changes_nothing());
    assert!(plan.warnings[0].contains("demo-old-1"));
    let plan = plan_up(&p, &after, &UpOptions { remove_orphans: true, ..Default::default() }).unwrap();
    assert_eq!(lines(&plan).last().unwrap(), "remove container demo-old-1 (orphan)");
}

#[test]
fn missing_external_volume_is_an_error() {
    let mut p = project();
    p.volumes.get_mut("data").unwrap().external = true;
    p.volumes.get_mut("data").unwrap().name = Some("shared-data".into());
    let err = plan_up(&p, &Observed::default(), &UpOptions::default()).unwrap_err();
    assert_eq!(err.to_string(), "external volume \"shared-data\" not found");
}

#[test]
fn volume_of_another_project_warns() {
    let p = project();
    let mut o = Observed::default();
    let labels = HashMap::from([(crate::engine::labels::PROJECT.to_string(), "other".to_string())]);
    o.volumes.insert(
        "demo_data".into(),
        ObservedVolume { name: "demo_data".into(), driver: "local".into(), labels, options: HashMap::new(), mountpoint: String::new() },
    );
    let plan = plan_up(&p, &o, &UpOptions::default()).unwrap();
    assert!(plan.warnings.iter().any(|w| w.contains("created for project \"other\"")));
    assert!(!lines(&plan).iter().any(|l| l.contains("create volume")));
}

#[test]
fn volume_with_other_driver_options_warns() {
    let mut p = project();
    p.volumes.get_mut("data").unwrap().driver_opts.insert("type".into(), "tmpfs".into());
    let mut o = Observed::default();
    let labels = HashMap::from([(crate::engine::labels::PROJECT.to_string(), "demo".to_string())]);
    o.volumes.insert(
        "demo_data".into(),
        ObservedVolume { name: "demo_data".into(), driver: "local".into(), labels, options: HashMap::new(), mountpoint: String::new() },
    );
    let plan = plan_up(&p, &o, &UpOptions::default()).unwrap();
    assert!(plan.warnings.iter().any(|w| w.contains("exists with driver local") && w.contains("tmpfs")), "{:?}", plan.warnings);
}

#[test]
fn selected_services_pull_in_dependencies_unless_no_deps() {
    let p = project();
    let opts = UpOptions { services: vec!["web".into()], ..Default::default() };
    assert_eq!(plan_up(&p, &Observed::default(), &opts).unwrap().services, vec!["db", "web"]);
    let opts = UpOptions { services: vec!["web".into()], no_deps: true, ..Default::default() };
    assert_eq!(plan_up(&p, &Observed::default(), &opts).unwrap().services, vec!["web"]);
    let opts = UpOptions { services: vec!["nope".into()], ..Default::default() };
    assert!(plan_up(&p, &Observed::default(), &opts).is_err());
}

#[test]
fn recreate_propagates_to_shared_namespaces() {
    let mut p = project();
    let mut side = Service { image: Some("busybox".into()), network_mode: Some(crate::model::NamespaceMode::Service("db".into())), ..Service::default() };
    side.volumes_from.push("db".parse().unwrap());
    p.services.insert("side".into(), side);
    let after = observed_after(&p, &Observed::default(), &plan_up(&p, &Observed::default(), &UpOptions::default()).unwrap());
    let mut changed = p.clone();
    changed.services.get_mut("db").unwrap().environment.insert("A".into(), Some("1".into()));
    let plan = plan_up(&changed, &after, &UpOptions::default()).unwrap();
    assert!(lines(&plan).contains(&"recreate container demo-side-1 (db was recreated)".to_string()), "{:?}", lines(&plan));
}

#[test]
fn recreate_propagates_to_services_sharing_ipc_or_pid() {
    let mut p = project();
    let shares = |field: &str| {
        let mut s = Service { image: Some("busybox".into()), ..Service::default() };
        let mode = Some(crate::model::NamespaceMode::Service("db".into()));
        match field {
            "ipc" => s.ipc = mode,
            _ => s.pid = mode,
        }
        s
    };
    p.services.insert("ipc-side".into(), shares("ipc"));
    p.services.insert("pid-side".into(), shares("pid"));
    let after = observed_after(&p, &Observed::default(), &plan_up(&p, &Observed::default(), &UpOptions::default()).unwrap());
    let mut changed = p.clone();
    changed.services.get_mut("db").unwrap().environment.insert("A".into(), Some("1".into()));
    let plan = lines(&plan_up(&changed, &after, &UpOptions::default()).unwrap());
    for side in ["ipc-side", "pid-side"] {
        assert!(plan.contains(&format!("recreate container demo-{side}-1 (db was recreated)")), "{plan:?}");
    }
}
