//! Short volume syntax: `[SOURCE:]TARGET[:OPTIONS]`.
//!
//! Owns: reading one short mount string into its long form (type, source,
//! target, read-only, SELinux label, propagation, nocopy). Sources that look
//! like paths (`.`, `/`, `~`) are bind mounts; other sources name volumes.
//! No I/O: relative paths are resolved later.

use super::node::{Entry, Map, Node};
use super::source::Span;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct MountSpec {
    pub bind: bool,
    pub source: Option<String>,
    pub target: String,
    pub read_only: bool,
    pub selinux: Option<String>,
    pub propagation: Option<String>,
    pub consistency: Option<String>,
    pub nocopy: bool,
}

pub fn is_path(source: &str) -> bool {
    source.starts_with('.') || source.starts_with('/') || source.starts_with('~') || is_windows_path(source)
}

fn is_windows_path(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/')
}

pub fn parse(text: &str) -> Result<MountSpec, String> {
    if text.is_empty() {
        return Err("empty mount".into());
    }
    let parts = split(text);
    let (source, target, options) = match parts.as_slice() {
        [t] => (None, *t, None),
        [s, t] => (Some(*s), *t, None),
        [s, t, o] => (Some(*s), *t, Some(*o)),
        _ => return Err("too many `:` separators".into()),
    };
    if target.is_empty() {
        return Err("the container path is empty".into());
    }
    if let Some("") = source {
        return Err("the source is empty".into());
    }
    let mut spec = MountSpec { bind: source.is_some_and(is_path), source: source.map(str::to_string), target: target.to_string(), ..MountSpec::default() };
    for opt in options.unwrap_or("").split(',').filter(|o| !o.is_empty()) {
        match opt {
            "ro" => spec.read_only = true,
            "rw" => spec.read_only = false,
            "z" | "Z" => spec.selinux = Some(opt.to_string()),
            "nocopy" => spec.nocopy = true,
            "shared" | "rshared" | "slave" | "rslave" | "private" | "rprivate" => spec.propagation = Some(opt.to_string()),
            "cached" | "delegated" | "consistent" => spec.consistency = Some(opt.to_string()),
            other => return Err(format!("unknown mount option `{other}` (use ro, rw, z, Z, nocopy or a propagation mode)")),
        }
    }
    Ok(spec)
}

/// Splits on `:` but keeps Windows drive letters (`C:\x`) whole.
fn split(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b':' {
            let is_drive = i == start + 1 && bytes[start].is_ascii_alphabetic() && matches!(bytes.get(i + 1), Some(b'\\') | Some(b'/'));
            if !is_drive {
                parts.push(&text[start..i]);
                start = i + 1;
            }
        }
        i += 1;
    }
    parts.push(&text[start..]);
    parts
}

impl MountSpec {
    pub fn into_node(self, span: Span) -> Node {
        let mut m = Map::new();
        let mut put = |k: &str, v: Node| m.insert(Entry { key: k.into(), key_span: span, value: v });
        put("type", Node::scalar(if self.bind { "bind" } else { "volume" }, span));
        if let Some(s) = self.source {
            put("source", Node::scalar(s, span));
        }
        put("target", Node::scalar(self.target, span));
        if self.read_only {
            put("read_only", Node::scalar("true", span));
        }
        if let Some(c) = self.consistency {
            put("consistency", Node::scalar(c, span));
        }
        if self.bind {
            let mut b = Map::new();
            let mut bput = |k: &str, v: Node| b.insert(Entry { key: k.into(), key_span: span, value: v });
            if let Some(z) = self.selinux {
                bput("selinux", Node::scalar(z, span));
            }
            if let Some(p) = self.propagation {
                bput("propagation", Node::scalar(p, span));
            }
            bput("create_host_path", Node::scalar("true", span));
            put("bind", Node::map(b, span));
        }
        // `nocopy` gives a volume section even on a bind, as in compose.
        if !self.bind || self.nocopy {
            let mut v = Map::new();
            if self.nocopy {
                v.insert(Entry { key: "nocopy".into(), key_span: span, value: Node::scalar("true", span) });
            }
            put("volume", Node::map(v, span));
        }
        Node::map(m, span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let anon = parse("/data").unwrap();
        assert_eq!((anon.bind, anon.source, anon.target.as_str()), (false, None, "/data"));
        let named = parse("db:/var/lib/db").unwrap();
        assert!(!named.bind);
        let bind = parse("./src:/app:ro,z").unwrap();
        assert!(bind.bind && bind.read_only);
        assert_eq!(bind.selinux.as_deref(), Some("z"));
        assert!(parse("~/x:/x").unwrap().bind);
        assert!(parse("vol:/x:nocopy").unwrap().nocopy);
        assert_eq!(parse("C:\\data:/data").unwrap().source.as_deref(), Some("C:\\data"));
    }

    #[test]
    fn errors() {
        assert!(parse("a:b:c:d").is_err());
        assert!(parse("data:/x:bogus").unwrap_err().contains("bogus"));
        assert!(parse(":/x").is_err());
        assert!(parse("a:").is_err());
    }
}
