//! Short port syntax: `[HOST_IP:][HOST_PORT[-END]:]CONTAINER_PORT[-END][/PROTOCOL]`.
//!
//! Owns: reading one short port string into one or more long-form entries,
//! expanding ranges the way the Docker engine's own parser does. No I/O.

#[derive(Debug, PartialEq, Eq)]
pub struct PortSpec {
    pub host_ip: Option<String>,
    pub target: u16,
    pub published: Option<String>,
    pub protocol: String,
}

fn range(text: &str, what: &str) -> Result<(u16, u16), String> {
    let (a, b) = match text.split_once('-') {
        Some((a, b)) => (a, b),
        None => (text, text),
    };
    let parse = |s: &str| -> Result<u16, String> {
        let n: u64 = s.trim().parse().map_err(|_| format!("`{s}` is not a {what} port number"))?;
        if n == 0 && what == "container" {
            return Err("container port 0 is not allowed".into());
        }
        u16::try_from(n).map_err(|_| format!("{what} port {n} is out of range (1-65535)"))
    };
    let (start, end) = (parse(a)?, parse(b)?);
    if end < start {
        return Err(format!("{what} port range `{text}` ends before it starts"));
    }
    Ok((start, end))
}

pub fn parse(text: &str) -> Result<Vec<PortSpec>, String> {
    let (rest, protocol) = match text.rsplit_once('/') {
        Some((r, p)) => (r, p.to_ascii_lowercase()),
        None => (text, "tcp".to_string()),
    };
    if !matches!(protocol.as_str(), "tcp" | "udp" | "sctp") {
        return Err(format!("unknown protocol `{protocol}` (use tcp, udp or sctp)"));
    }
    let (ip, host, container) = split_parts(rest)?;
    let (c_start, c_end) = range(container, "container")?;
    let host_range = match host {
        Some(h) if !h.is_empty() => Some(range(h, "host")?),
        _ => None,
    };
    if let Some((h_start, h_end)) = host_range {
        if h_end - h_start != c_end - c_start && c_start != c_end {
            return Err(format!("host range `{}` and container range `{container}` differ in length", host.unwrap_or("")));
        }
    }
    let mut out = Vec::new();
    for i in 0..=(c_end - c_start) {
        let published = host_range.map(|(hs, he)| if c_start == c_end && hs != he { format!("{hs}-{he}") } else { (hs + i).to_string() });
        out.push(PortSpec { host_ip: ip.map(str::to_string), target: c_start + i, published, protocol: protocol.clone() });
    }
    Ok(out)
}

/// Splits into (ip, host port, container port).
fn split_parts(rest: &str) -> Result<(Option<&str>, Option<&str>, &str), String> {
    if let Some(after) = rest.strip_prefix('[') {
        let (ip, tail) = after.split_once(']').ok_or("unclosed `[` around the host IP")?;
        let tail = tail.strip_prefix(':').ok_or("expected `:` after the host IP")?;
        let (host, container) = tail.split_once(':').ok_or("expected HOST_PORT:CONTAINER_PORT after the host IP")?;
        return Ok((Some(ip), Some(host), container));
    }
    let parts: Vec<&str> = rest.split(':').collect();
    match parts.as_slice() {
        [c] => Ok((None, None, c)),
        [h, c] => Ok((None, Some(h), c)),
        [ip, h, c] => Ok((Some(ip), Some(h), c)),
        _ => {
            // A bare IPv6 address: the last two parts are the ports.
            let n = parts.len();
            let ip_len = rest.len() - parts[n - 1].len() - parts[n - 2].len() - 2;
            if rest[..ip_len].contains("::") || n > 3 {
                Ok((Some(&rest[..ip_len]), Some(parts[n - 2]), parts[n - 1]))
            } else {
                Err("too many `:` separators".into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(t: &str) -> PortSpec {
        let mut v = parse(t).unwrap();
        assert_eq!(v.len(), 1);
        v.remove(0)
    }

    #[test]
    fn forms() {
        assert_eq!(one("80"), PortSpec { host_ip: None, target: 80, published: None, protocol: "tcp".into() });
        assert_eq!(one("8080:80").published.as_deref(), Some("8080"));
        let p = one("127.0.0.1:5432:5432/udp");
        assert_eq!((p.host_ip.as_deref(), p.protocol.as_str()), (Some("127.0.0.1"), "udp"));
        let p = one("127.0.0.1::80");
        assert_eq!((p.published, p.target), (None, 80));
        let p = one("[::1]:8080:80");
        assert_eq!(p.host_ip.as_deref(), Some("::1"));
    }

    #[test]
    fn ranges() {
        let v = parse("8000-8002:80-82").unwrap();
        assert_eq!(
            v.iter().map(|p| (p.published.clone().unwrap(), p.target)).collect::<Vec<_>>(),
            vec![("8000".into(), 80), ("8001".into(), 81), ("8002".into(), 82)]
        );
        assert_eq!(one("8000-8010:80").published.as_deref(), Some("8000-8010"));
        assert_eq!(parse("3000-3002").unwrap().len(), 3);
    }

    #[test]
    fn errors() {
        assert!(parse("70000:80").unwrap_err().contains("out of range"));
        assert!(parse("80:abc").is_err());
        assert!(parse("80/icmp").unwrap_err().contains("protocol"));
        assert!(parse("8000-8001:80-85").is_err());
        assert!(parse("0").is_err());
        assert!(parse("99999999999999999999").is_err());
    }
}
