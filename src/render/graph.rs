//! The dependency graph as Graphviz dot or a Mermaid flowchart, with the
//! condition on each edge.

use crate::graph::{EdgeKind, ServiceGraph};
use crate::model::{Condition, Project};

fn edge_label(kind: EdgeKind) -> String {
    match kind {
        EdgeKind::DependsOn { condition, required, .. } => {
            let c = match condition {
                Condition::ServiceStarted => "started",
                Condition::ServiceHealthy => "healthy",
                Condition::ServiceCompletedSuccessfully => "completed",
            };
            if required {
                c.to_string()
            } else {
                format!("{c}, optional")
            }
        }
        EdgeKind::VolumesFrom => "volumes_from".into(),
        EdgeKind::Link => "link".into(),
        EdgeKind::NetworkMode => "network_mode".into(),
    }
}

fn edges(project: &Project) -> Vec<(String, String, String)> {
    let graph = ServiceGraph::build(project);
    let mut out = Vec::new();
    for name in project.services.keys() {
        for (dep, kind) in graph.dependencies(name) {
            out.push((name.clone(), dep.to_string(), edge_label(kind)));
        }
    }
    out
}

/// Graphviz: an edge points from a service to what it waits for.
pub fn dot(project: &Project) -> String {
    let mut s = format!("digraph \"{}\" {{\n  rankdir=LR;\n", project.name);
    for name in project.services.keys() {
        s.push_str(&format!("  \"{name}\";\n"));
    }
    for (from, to, label) in edges(project) {
        s.push_str(&format!("  \"{from}\" -> \"{to}\" [label=\"{label}\"];\n"));
    }
    s.push_str("}\n");
    s
}

/// Mermaid flowchart (renders in GitHub markdown).
pub fn mermaid(project: &Project) -> String {
    let id = |n: &str| n.replace(|c: char| !c.is_ascii_alphanumeric(), "_");
    let mut s = String::from("flowchart LR\n");
    for name in project.services.keys() {
        s.push_str(&format!("  {}[\"{name}\"]\n", id(name)));
    }
    for (from, to, label) in edges(project) {
        s.push_str(&format!("  {} -->|{label}| {}\n", id(&from), id(&to)));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dependency, Service};

    #[test]
    fn renders_edges_with_conditions() {
        let mut p = Project { name: "demo".into(), ..Project::default() };
        let mut web = Service::default();
        web.depends_on.insert("db".into(), Dependency { condition: Condition::ServiceHealthy, restart: false, required: true });
        web.depends_on.insert("cache".into(), Dependency { condition: Condition::ServiceStarted, restart: false, required: false });
        p.services.insert("web".into(), web);
        p.services.insert("db".into(), Service::default());
        p.services.insert("cache".into(), Service::default());
        let d = dot(&p);
        assert!(d.contains("\"web\" -> \"db\" [label=\"healthy\"];"), "{d}");
        assert!(d.contains("\"web\" -> \"cache\" [label=\"started, optional\"];"), "{d}");
        let m = mermaid(&p);
        assert!(m.contains("web -->|healthy| db"), "{m}");
    }
}
