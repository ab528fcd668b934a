//! The config hash: a fingerprint of what a container runs with.
//!
//! Owns: which service fields count (not build, scale, replicas,
//! depends_on, profiles, pull_policy, extends, develop) and their canonical
//! serialisation. A changed hash means the container must be recreated.

use sha2::{Digest, Sha256};

use crate::model::Service;

const VERSION: &str = "rcompose-hash-1";

pub fn config_hash(service: &Service) -> String {
    let mut s = service.clone();
    s.build = None;
    s.scale = None;
    if let Some(d) = &mut s.deploy {
        d.replicas = None;
    }
    s.depends_on.clear();
    s.profiles.clear();
    s.pull_policy = None;
    s.extends = None;
    s.develop = None;
    s.env_file.clear();
    let json = serde_json::to_string(&s).expect("service serializes");
    let mut h = Sha256::new();
    h.update(VERSION.as_bytes());
    h.update(json.as_bytes());
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_ignores_scale_and_dependencies_but_not_environment() {
        let a = Service { image: Some("x".into()), ..Service::default() };
        let mut b = a.clone();
        b.scale = Some(3);
        b.depends_on.insert("db".into(), crate::model::Dependency { condition: Default::default(), restart: false, required: true });
        assert_eq!(config_hash(&a), config_hash(&b));
        b.environment.insert("A".into(), Some("1".into()));
        assert_ne!(config_hash(&a), config_hash(&b));
    }
}
