//! Namespace modes: how a container gets its network, IPC, PID, UTS or
//! cgroup namespace (`network_mode`, `ipc`, `pid`, `uts`, `cgroup`).
//!
//! Owns: the one parser of `service:NAME` and `container:NAME`, and printing
//! a mode back exactly as written. Resolving a service to its container is
//! `reconcile::spec`'s. No I/O.

use std::fmt;
use std::str::FromStr;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use super::forms::ScalarText;
use super::policy::text_serde;
use crate::load::de::with_help;

/// One namespace setting of a service.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NamespaceMode {
    /// `service:NAME`: join the namespace of that service's container.
    Service(String),
    /// `container:NAME`: join the namespace of a container by name or id.
    Container(String),
    /// `host`: use the host's namespace.
    Host,
    /// `none`: a namespace of its own with nothing in it (no network).
    None,
    /// Anything else, passed to the engine as written: `bridge`, `private`,
    /// `shareable`, a network's name.
    Other(String),
}

const SERVICE: &str = "service:";
/// The prefix naming a container, here and in `volumes_from`.
pub(crate) const CONTAINER: &str = "container:";

impl NamespaceMode {
    /// The service whose container this mode joins, if it names one.
    pub fn service(&self) -> Option<&str> {
        match self {
            NamespaceMode::Service(name) => Some(name),
            NamespaceMode::Container(_) | NamespaceMode::Host | NamespaceMode::None | NamespaceMode::Other(_) => Option::None,
        }
    }
}

impl FromStr for NamespaceMode {
    type Err = String;

    fn from_str(text: &str) -> Result<NamespaceMode, String> {
        let named = |prefix: &str, what: &str| match text.strip_prefix(prefix) {
            Some("") => Some(Err(format!("`{text}` names no {what}"))),
            Some(name) => Some(Ok(name.to_string())),
            Option::None => Option::None,
        };
        if let Some(name) = named(SERVICE, "service") {
            return name.map(NamespaceMode::Service);
        }
        if let Some(name) = named(CONTAINER, "container") {
            return name.map(NamespaceMode::Container);
        }
        Ok(match text {
            "host" => NamespaceMode::Host,
            "none" => NamespaceMode::None,
            other => NamespaceMode::Other(other.to_string()),
        })
    }
}

impl fmt::Display for NamespaceMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NamespaceMode::Service(name) => write!(f, "{SERVICE}{name}"),
            NamespaceMode::Container(name) => write!(f, "{CONTAINER}{name}"),
            NamespaceMode::Host => f.write_str("host"),
            NamespaceMode::None => f.write_str("none"),
            NamespaceMode::Other(text) => f.write_str(text),
        }
    }
}

text_serde!(NamespaceMode, "write `service:NAME`, `container:NAME`, `host` or `none`");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::policy::tests::service_from;

    #[test]
    fn modes_parse_and_print_as_written() {
        for text in ["service:db", "container:abc123", "host", "none", "bridge", "shareable", "private", "my-net", "service:a:b"] {
            assert_eq!(text.parse::<NamespaceMode>().unwrap().to_string(), text);
        }
        assert_eq!("service:db".parse::<NamespaceMode>().unwrap().service(), Some("db"));
        assert_eq!("container:db".parse::<NamespaceMode>(), Ok(NamespaceMode::Container("db".into())));
        assert_eq!("container:db".parse::<NamespaceMode>().unwrap().service(), Option::None);
        assert_eq!("host".parse::<NamespaceMode>(), Ok(NamespaceMode::Host));
        assert_eq!("Host".parse::<NamespaceMode>(), Ok(NamespaceMode::Other("Host".into())), "the engine judges other spellings");
        assert_eq!("service:".parse::<NamespaceMode>(), Err("`service:` names no service".to_string()));
        assert_eq!("container:".parse::<NamespaceMode>(), Err("`container:` names no container".to_string()));
    }

    #[test]
    fn a_mode_without_a_name_is_reported_where_it_is_written() {
        let svc = service_from("image: x\nnetwork_mode: service:db\nipc: host\npid: container:c1\n").unwrap();
        assert_eq!(svc.network_mode, Some(NamespaceMode::Service("db".into())));
        assert_eq!(svc.ipc, Some(NamespaceMode::Host));
        assert_eq!(svc.pid, Some(NamespaceMode::Container("c1".into())));
        assert_eq!(service_from("image: x\npid: 'service:'\n").unwrap_err(), "compose.yaml:2:6: `service:` names no service");
        assert_eq!(serde_json::to_string(&NamespaceMode::Service("db".into())).unwrap(), "\"service:db\"");
    }
}
