//! Pulling images through the engine, with per-layer progress in bytes, and
//! the `pull_policy` decision.

use std::collections::HashMap;

use futures::StreamExt;
use miette::Diagnostic;

use super::auth::credentials_for;
use crate::engine::{Engine, EngineError, PullProgress};
use crate::model::PullPolicy;
use crate::progress::{Event, Kind, Reporter, Status};

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum PullError {
    #[error("pulling {image} failed: {message}")]
    #[diagnostic(code(rcompose::pull_failed), help("check the image name and tag, and that you are logged in to its registry (`docker login`)"))]
    Failed { image: String, message: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Engine(#[from] EngineError),
}

fn mb(n: i64) -> String {
    format!("{:.1}MB", n as f64 / 1_000_000.0)
}

/// Pulls `image`, reporting each layer's progress; credentials come from the
/// docker CLI config and never appear in output.
pub async fn pull_image(engine: &dyn Engine, image: &str, env: &HashMap<String, String>, reporter: &dyn Reporter) -> Result<(), PullError> {
    let creds = credentials_for(image, env);
    reporter.event(Event::new(Kind::Image, image, Status::Pulling));
    let mut stream = engine.pull_image(image, creds.as_ref());
    let mut last: HashMap<String, String> = HashMap::new();
    while let Some(step) = stream.next().await {
        let (id, status, current, total) = match step? {
            PullProgress::Layer { id, status, current, total } => (id, status, current, total),
            PullProgress::Failed(message) => return Err(PullError::Failed { image: image.into(), message: redact(&message) }),
        };
        let bytes = match (current, total) {
            (Some(c), Some(t)) if t > 0 => Some(format!("{}/{}", mb(c), mb(t))),
            _ => None,
        };
        // One line per layer and state, plus byte counts on a TTY renderer.
        let line = match &bytes {
            Some(b) => format!("{id}: {status} {b}"),
            None => format!("{id}: {status}"),
        };
        if last.get(&id).map(String::as_str) != Some(status.as_str()) || bytes.is_some() {
            let changed_state = last.insert(id.clone(), status.clone()).as_deref() != Some(status.as_str());
            if changed_state || reporter.wants_bytes() {
                reporter.event(Event::new(Kind::Image, image, Status::Pulling).detail(line));
            }
        }
    }
    reporter.event(Event::new(Kind::Image, image, Status::Pulled));
    Ok(())
}

/// Engine messages can echo a URL with credentials in it; cut them out.
fn redact(message: &str) -> String {
    message
        .split(' ')
        .map(|w| match (w.find("://"), w.find('@')) {
            (Some(s), Some(at)) if at > s => format!("{}***{}", &w[..s + 3], &w[at..]),
            _ => w.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `up` should pull a service's image, per its `pull_policy` (or
/// `--pull`; none means `missing`), given whether the image exists and how
/// long ago it was last pulled (unknown age counts as stale).
pub fn should_pull(policy: Option<&PullPolicy>, exists: bool, age: Option<std::time::Duration>) -> bool {
    let Some(policy) = policy else { return !exists };
    match policy {
        PullPolicy::Always => true,
        PullPolicy::Never => false,
        // `refresh` names no window: docker compose treats it as `missing`.
        PullPolicy::Missing | PullPolicy::Build | PullPolicy::Refresh => !exists,
        PullPolicy::Daily | PullPolicy::Weekly | PullPolicy::Every { .. } => {
            !exists
                || match (policy.refresh_after(), age) {
                    (Some(limit), Some(age)) => age > limit,
                    _ => true,
                }
        }
    }
}

/// How long ago an image was last pulled or tagged here.
pub async fn image_age(engine: &dyn Engine, image: &str) -> Option<std::time::Duration> {
    let when = engine.inspect_image(image).await.ok()??.last_tag_time?;
    let secs = parse_rfc3339(&when)?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_secs() as i64;
    Some(std::time::Duration::from_secs((now - secs).max(0) as u64))
}

/// Seconds since the epoch of `2026-11-23T05:20:01.123Z`.
pub fn parse_rfc3339(ts: &str) -> Option<i64> {
    let (date, time) = ts.trim().split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let (y2, m2) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + (153 * m2 + 2) / 5 + day - 1 - 719468;
    let mut t = time.split([':', '.', 'Z', '+']);
    let (h, mi, s) = (t.next()?.parse::<i64>().ok()?, t.next()?.parse::<i64>().ok()?, t.next()?.parse::<i64>().ok()?);
    Some(days * 86400 + h * 3600 + mi * 60 + s)
}

#[cfg(test)]
mod age_tests {
    #[test]
    fn rfc3339() {
        assert_eq!(super::parse_rfc3339("1970-01-02T00:00:01.5Z"), Some(86401));
        assert!(super::parse_rfc3339("2026-11-23T05:20:01.123456789Z").unwrap() > 1_700_000_000);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn policy(text: &str) -> PullPolicy {
        text.parse().unwrap()
    }

    #[test]
    fn pull_policies() {
        assert!(should_pull(Some(&policy("always")), true, None));
        assert!(!should_pull(None, true, None));
        assert!(should_pull(None, false, None));
        assert!(!should_pull(Some(&policy("never")), false, None));
        assert!(should_pull(Some(&policy("daily")), true, Some(Duration::from_secs(90_000))));
        assert!(!should_pull(Some(&policy("daily")), true, Some(Duration::from_secs(60))));
        assert!(should_pull(Some(&policy("every_2h")), true, Some(Duration::from_secs(3 * 3600))));
        assert!(!should_pull(Some(&policy("every_1d")), true, Some(Duration::from_secs(3 * 3600))));
        assert!(should_pull(Some(&policy("weekly")), true, None), "an image of unknown age is stale");
    }

    #[test]
    fn refresh_pulls_only_a_missing_image_as_docker_compose_does() {
        let refresh = policy("refresh");
        assert!(should_pull(Some(&refresh), false, None));
        assert!(!should_pull(Some(&refresh), true, None));
        assert!(!should_pull(Some(&refresh), true, Some(Duration::from_secs(365 * 86_400))));
    }

    #[tokio::test]
    async fn a_pull_reports_its_layers_and_a_refused_one_is_an_engine_error() {
        use crate::engine::fake::{FakeEngine, Fault};
        use crate::engine::Engine;
        let engine = FakeEngine::new();
        let recorder = crate::progress::Recorder::default();
        pull_image(&engine, "app:1", &HashMap::new(), &recorder).await.unwrap();
        assert!(engine.image_id("app:1").await.unwrap().is_some());
        let events = recorder.events.lock().unwrap().clone();
        let statuses: Vec<(Status, Option<String>)> = events.into_iter().map(|e| (e.status, e.detail)).collect();
        assert_eq!(statuses, [(Status::Pulling, None), (Status::Pulling, Some("fake: Pull complete".into())), (Status::Pulled, None)]);

        let lost = EngineError::Lost { action: "pull app:2".into(), reason: "reset".into() };
        engine.fault("pull app:2", Fault::Fail(lost));
        let err = pull_image(&engine, "app:2", &HashMap::new(), &recorder).await.unwrap_err();
        assert!(matches!(err, PullError::Engine(EngineError::Lost { .. })), "{err:?}");
    }

    #[test]
    fn credentials_in_urls_are_redacted() {
        assert_eq!(redact("Get https://bob:hunter2@127.0.0.1:5000/v2/: unauthorized"), "Get https://***@127.0.0.1:5000/v2/: unauthorized");
    }
}
