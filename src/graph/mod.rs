//! The service dependency graph: who must start before whom.
//!
//! Owns: edges from `depends_on`, `volumes_from`, `links` and
//! `network_mode: service:NAME`; cycle detection (reporting one cycle in
//! order); and start order by levels, where each level holds services whose
//! dependencies are all in earlier levels. Pure: no I/O, no engine.

use std::collections::BTreeSet;

use indexmap::IndexMap;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::model::{Condition, NamespaceMode, Project};

/// Why one service depends on another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    DependsOn { condition: Condition, required: bool, restart: bool },
    VolumesFrom,
    Link,
    NetworkMode,
}

#[derive(Debug)]
pub struct ServiceGraph {
    graph: DiGraph<String, EdgeKind>,
    index: IndexMap<String, NodeIndex>,
}

/// Services in a cycle, in edge order, first repeated at the end.
#[derive(Debug, PartialEq, Eq)]
pub struct Cycle(pub Vec<String>);

impl std::fmt::Display for Cycle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join(" -> "))
    }
}

impl ServiceGraph {
    /// Edges point from a service to what it depends on. Names that are not
    /// services of the project are skipped (validation reports them).
    pub fn build(project: &Project) -> ServiceGraph {
        let mut graph = DiGraph::new();
        let mut index = IndexMap::new();
        for name in project.services.keys() {
            index.insert(name.clone(), graph.add_node(name.clone()));
        }
        for (name, svc) in &project.services {
            let from = index[name];
            let mut add = |to: &str, kind: EdgeKind| {
                if let Some(&t) = index.get(to) {
                    graph.add_edge(from, t, kind);
                }
            };
            for (dep, d) in &svc.depends_on {
                add(dep, EdgeKind::DependsOn { condition: d.condition, required: d.required, restart: d.restart });
            }
            for entry in &svc.volumes_from {
                if let Some(s) = entry.service() {
                    add(s, EdgeKind::VolumesFrom);
                }
            }
            for link in &svc.links {
                add(link.split(':').next().unwrap_or(link), EdgeKind::Link);
            }
            if let Some(target) = svc.network_mode.as_ref().and_then(NamespaceMode::service) {
                add(target, EdgeKind::NetworkMode);
            }
        }
        ServiceGraph { graph, index }
    }

    /// Direct dependencies of `service`, with why.
    pub fn dependencies(&self, service: &str) -> Vec<(&str, EdgeKind)> {
        let Some(&i) = self.index.get(service) else { return Vec::new() };
        let mut out: Vec<(&str, EdgeKind)> = self.graph.edges(i).map(|e| (self.graph[petgraph::visit::EdgeRef::target(&e)].as_str(), *e.weight())).collect();
        out.reverse();
        out
    }

    /// Services that depend directly on `service`.
    pub fn dependents(&self, service: &str) -> Vec<&str> {
        let Some(&i) = self.index.get(service) else { return Vec::new() };
        let set: BTreeSet<&str> = self.graph.neighbors_directed(i, petgraph::Direction::Incoming).map(|n| self.graph[n].as_str()).collect();
        set.into_iter().collect()
    }

    /// One dependency cycle, if any, in file order of its first service.
    pub fn find_cycle(&self) -> Option<Cycle> {
        let sccs = petgraph::algo::tarjan_scc(&self.graph);
        let mut cyclic: Vec<Vec<NodeIndex>> = sccs.into_iter().filter(|c| c.len() > 1 || self.graph.find_edge(c[0], c[0]).is_some()).collect();
        for c in &mut cyclic {
            c.sort();
        }
        cyclic.sort();
        let scc = cyclic.first()?;
        let members: BTreeSet<NodeIndex> = scc.iter().copied().collect();
        // Walk inside the component from its first service until we return.
        let start = scc[0];
        let mut path = vec![start];
        let mut seen = BTreeSet::from([start]);
        let mut current = start;
        loop {
            let mut next: Vec<NodeIndex> = self.graph.neighbors(current).filter(|n| members.contains(n)).collect();
            next.sort();
            if next.contains(&start) {
                path.push(start);
                break;
            }
            let Some(&n) = next.iter().find(|n| !seen.contains(*n)) else { break };
            seen.insert(n);
            path.push(n);
            current = n;
        }
        Some(Cycle(path.into_iter().map(|i| self.graph[i].clone()).collect()))
    }

    /// Start order: level 0 has no dependencies; a service sits one level
    /// above its deepest dependency. Within a level, file order.
    pub fn levels(&self) -> Result<Vec<Vec<String>>, Cycle> {
        if let Some(c) = self.find_cycle() {
            return Err(c);
        }
        let order = petgraph::algo::toposort(&self.graph, None).map_err(|_| Cycle(Vec::new()))?;
        let mut level: IndexMap<NodeIndex, usize> = IndexMap::new();
        for &n in order.iter().rev() {
            let l = self.graph.neighbors(n).map(|d| level[&d] + 1).max().unwrap_or(0);
            level.insert(n, l);
        }
        let depth = level.values().copied().max().map(|m| m + 1).unwrap_or(0);
        let mut levels = vec![Vec::new(); depth];
        for (name, idx) in &self.index {
            levels[level[idx]].push(name.clone());
        }
        Ok(levels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dependency, Service};

    fn project(edges: &[(&str, &[&str])]) -> Project {
        let mut p = Project::default();
        for (name, deps) in edges {
            let mut s = Service::default();
            for d in *deps {
                s.depends_on.insert(d.to_string(), Dependency { condition: Condition::ServiceStarted, restart: false, required: true });
            }
            p.services.insert(name.to_string(), s);
        }
        p
    }

    #[test]
    fn levels_follow_dependencies() {
        let p = project(&[("web", &["api"]), ("api", &["db", "cache"]), ("db", &[]), ("cache", &[]), ("worker", &["db"])]);
        let levels = ServiceGraph::build(&p).levels().unwrap();
        assert_eq!(levels, vec![vec!["db", "cache"], vec!["api", "worker"], vec!["web"]]);
    }

    #[test]
    fn cycle_is_reported_in_order() {
        let p = project(&[("a", &["b"]), ("b", &["c"]), ("c", &["a"]), ("d", &[])]);
        let g = ServiceGraph::build(&p);
        assert_eq!(g.find_cycle().unwrap().to_string(), "a -> b -> c -> a");
        assert!(g.levels().is_err());
    }

    #[test]
    fn self_dependency_is_a_cycle() {
        let p = project(&[("a", &["a"])]);
        assert_eq!(ServiceGraph::build(&p).find_cycle().unwrap().to_string(), "a -> a");
    }

    #[test]
    fn other_edge_kinds_count() {
        let mut p = project(&[("app", &[]), ("data", &[]), ("net", &[])]);
        let app = p.services.get_mut("app").unwrap();
        app.volumes_from = vec!["data:ro".parse().unwrap(), "container:other".parse().unwrap()];
        app.network_mode = Some(NamespaceMode::Service("net".into()));
        let g = ServiceGraph::build(&p);
        let deps: Vec<&str> = g.dependencies("app").into_iter().map(|(n, _)| n).collect();
        assert_eq!(deps, vec!["data", "net"]);
        assert_eq!(g.levels().unwrap().len(), 2);
    }
}
