//! Fixed-vocabulary service settings: the `restart` policy and the
//! `pull_policy`. Each is parsed once, when the file is loaded, and printed
//! back the way `docker compose config` prints it.
//!
//! Owns: the spellings these fields accept and their canonical text. What the
//! engine or the puller does with them belongs to `reconcile` and `images`.
//! No I/O.

use std::fmt;
use std::str::FromStr;
use std::time::Duration as StdDuration;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use super::forms::ScalarText;
use crate::load::de::with_help;

/// When the engine restarts a service's container after it stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Restart {
    /// `no`: never (the engine's default).
    No,
    /// `always`: whatever the exit code, and when the daemon starts.
    Always,
    /// `on-failure` or `on-failure:N`: after a non-zero exit, at most N
    /// times when N is given.
    OnFailure { max_retries: Option<u32> },
    /// `unless-stopped`: like `always`, except after an explicit stop.
    UnlessStopped,
}

const RESTART_HELP: &str = "use no, always, unless-stopped, on-failure or on-failure:N";

impl FromStr for Restart {
    type Err = String;

    fn from_str(text: &str) -> Result<Restart, String> {
        let invalid = || format!("invalid restart policy `{text}`");
        match text {
            "no" => Ok(Restart::No),
            "always" => Ok(Restart::Always),
            "unless-stopped" => Ok(Restart::UnlessStopped),
            "on-failure" => Ok(Restart::OnFailure { max_retries: None }),
            _ => {
                let count = text.strip_prefix("on-failure:").ok_or_else(invalid)?;
                let max_retries = count.parse::<u32>().map_err(|_| invalid())?;
                Ok(Restart::OnFailure { max_retries: Some(max_retries) })
            }
        }
    }
}

impl fmt::Display for Restart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Restart::No => f.write_str("no"),
            Restart::Always => f.write_str("always"),
            Restart::UnlessStopped => f.write_str("unless-stopped"),
            Restart::OnFailure { max_retries: None } => f.write_str("on-failure"),
            Restart::OnFailure { max_retries: Some(n) } => write!(f, "on-failure:{n}"),
        }
    }
}

/// When `up` pulls a service's image.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PullPolicy {
    Always,
    Never,
    /// `missing`, or its older spelling `if_not_present` (printed as
    /// `missing`, as docker compose does).
    Missing,
    /// Build the image rather than pull it.
    Build,
    /// `refresh`: accepted by docker compose's schema but not one of the time
    /// windows; docker compose pulls only a missing image, and so do we.
    Refresh,
    /// Pull when the local image is older than a day.
    Daily,
    /// Pull when the local image is older than a week.
    Weekly,
    /// `every_<duration>`: pull when the local image is older than `period`.
    /// `spelled` keeps the duration as written, for printing.
    Every {
        spelled: String,
        period: StdDuration,
    },
}

const PULL_HELP: &str = "use always, never, missing, build, daily, weekly or every_<duration> (such as every_12h or every_1w2d)";

impl PullPolicy {
    /// The age after which a local image is pulled again, for the policies
    /// that look at the image's age.
    pub fn refresh_after(&self) -> Option<StdDuration> {
        const DAY: u64 = 86_400;
        match self {
            PullPolicy::Daily => Some(StdDuration::from_secs(DAY)),
            PullPolicy::Weekly => Some(StdDuration::from_secs(7 * DAY)),
            PullPolicy::Every { period, .. } => Some(*period),
            PullPolicy::Always | PullPolicy::Never | PullPolicy::Missing | PullPolicy::Build | PullPolicy::Refresh => None,
        }
    }
}

/// A refresh period as compose writes it after `every_`: whole numbers with
/// units w, d, h, m or s, one after another (`12h`, `1w2d`, `1h30m`).
fn parse_period(text: &str) -> Option<StdDuration> {
    let mut secs: u64 = 0;
    let mut rest = text;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let n: u64 = rest[..digits].parse().ok()?;
        let unit = rest[digits..].chars().next()?;
        let per = match unit {
            'w' => 7 * 86_400,
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        secs = secs.checked_add(n.checked_mul(per)?)?;
        rest = &rest[digits + 1..];
    }
    Some(StdDuration::from_secs(secs))
}

impl FromStr for PullPolicy {
    type Err = String;

    fn from_str(text: &str) -> Result<PullPolicy, String> {
        match text {
            "always" => Ok(PullPolicy::Always),
            "never" => Ok(PullPolicy::Never),
            "missing" | "if_not_present" => Ok(PullPolicy::Missing),
            "build" => Ok(PullPolicy::Build),
            "refresh" => Ok(PullPolicy::Refresh),
            "daily" => Ok(PullPolicy::Daily),
            "weekly" => Ok(PullPolicy::Weekly),
            _ => text
                .strip_prefix("every_")
                .and_then(|spelled| parse_period(spelled).map(|period| PullPolicy::Every { spelled: spelled.to_string(), period }))
                .ok_or_else(|| format!("invalid pull_policy `{text}`")),
        }
    }
}

impl fmt::Display for PullPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PullPolicy::Always => f.write_str("always"),
            PullPolicy::Never => f.write_str("never"),
            PullPolicy::Missing => f.write_str("missing"),
            PullPolicy::Build => f.write_str("build"),
            PullPolicy::Refresh => f.write_str("refresh"),
            PullPolicy::Daily => f.write_str("daily"),
            PullPolicy::Weekly => f.write_str("weekly"),
            PullPolicy::Every { spelled, .. } => write!(f, "every_{spelled}"),
        }
    }
}

/// Serde for a type that is written as one string: parsed with `FromStr`,
/// printed with `Display`, and described in the JSON schema as a string.
macro_rules! text_serde {
    ($ty:ty, $help:expr) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let ScalarText(text) = ScalarText::deserialize(d)?;
                text.unwrap_or_default().parse().map_err(|e| de::Error::custom(with_help(e, $help)))
            }
        }

        impl schemars::JsonSchema for $ty {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> std::borrow::Cow<'static, str> {
                String::schema_name()
            }
            fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
                String::json_schema(g)
            }
        }
    };
}

pub(crate) use text_serde;

text_serde!(Restart, RESTART_HELP);
text_serde!(PullPolicy, PULL_HELP);

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn restart_policies_parse_and_print_as_written() {
        for text in ["no", "always", "unless-stopped", "on-failure", "on-failure:3", "on-failure:0"] {
            assert_eq!(text.parse::<Restart>().unwrap().to_string(), text);
        }
        assert_eq!("on-failure:5".parse::<Restart>(), Ok(Restart::OnFailure { max_retries: Some(5) }));
        for bad in ["", "sometimes", "Always", "on-failure:", "on-failure:x", "on-failure:-1", "always:2"] {
            assert_eq!(bad.parse::<Restart>(), Err(format!("invalid restart policy `{bad}`")), "{bad}");
        }
    }

    #[test]
    fn pull_policies_parse_and_print_as_docker_compose_does() {
        for text in ["always", "never", "missing", "build", "refresh", "daily", "weekly", "every_12h", "every_1w2d", "every_1h30m"] {
            assert_eq!(text.parse::<PullPolicy>().unwrap().to_string(), text);
        }
        assert_eq!("if_not_present".parse::<PullPolicy>().unwrap().to_string(), "missing");
        assert_eq!("every_1d".parse::<PullPolicy>().unwrap().refresh_after(), Some(StdDuration::from_secs(86_400)));
        assert_eq!("every_1h30m".parse::<PullPolicy>().unwrap().refresh_after(), Some(StdDuration::from_secs(5_400)));
        assert_eq!(PullPolicy::Refresh.refresh_after(), None, "bare refresh has no window");
        for bad in ["", "Always", "bogus", "every_", "every_x", "every_12", "every_1.5h", "every_h", "every_99999999999999999999w"] {
            assert_eq!(bad.parse::<PullPolicy>(), Err(format!("invalid pull_policy `{bad}`")), "{bad}");
        }
    }

    #[test]
    fn both_serialize_as_plain_strings() {
        assert_eq!(serde_json::to_string(&Restart::OnFailure { max_retries: Some(2) }).unwrap(), "\"on-failure:2\"");
        assert_eq!(serde_json::to_string(&PullPolicy::Missing).unwrap(), "\"missing\"");
        assert_eq!(serde_json::from_str::<PullPolicy>("\"every_2h\"").unwrap().refresh_after(), Some(StdDuration::from_secs(7_200)));
        assert!(serde_json::from_str::<Restart>("\"later\"").unwrap_err().to_string().contains("invalid restart policy `later`"));
    }

    /// Loads one service from YAML text; on error, its `file:line:col` and message.
    pub(crate) fn service_from(text: &str) -> Result<crate::model::Service, String> {
        use crate::load::{de::from_node, source::SourceMap, yaml};
        let mut map = SourceMap::new();
        let id = map.add(std::path::Path::new("compose.yaml"), "compose.yaml".into(), text.into());
        let node = yaml::parse(id, map.get(id)).unwrap().remove(0);
        from_node(&node).map_err(|e| format!("{}: {}", map.location(e.span.expect("errors carry a span")), e.message))
    }

    #[test]
    fn a_bad_value_is_reported_where_it_is_written() {
        let svc = service_from("image: x\nrestart: on-failure:2\npull_policy: refresh\n").unwrap();
        assert_eq!(svc.restart, Some(Restart::OnFailure { max_retries: Some(2) }));
        assert_eq!(svc.pull_policy, Some(PullPolicy::Refresh));
        assert_eq!(service_from("image: x\nrestart: sometimes\n").unwrap_err(), "compose.yaml:2:10: invalid restart policy `sometimes`");
        assert_eq!(service_from("image: x\npull_policy:   every_day\n").unwrap_err(), "compose.yaml:2:16: invalid pull_policy `every_day`");
    }
}
