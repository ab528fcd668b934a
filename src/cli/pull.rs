//! `rcompose pull`, and the pulls `up` does per `pull_policy` / `--pull`.

use std::collections::HashMap;
use std::process::ExitCode;

use miette::miette;

use super::{connect, GlobalArgs};
use crate::engine::Engine;
use crate::images::pull::{pull_image, should_pull};
use crate::model::{Project, PullPolicy};
use crate::progress::Reporter;
use crate::reconcile::plan::image_ref;
use crate::{Error, ErrorKind};

#[derive(clap::Args, Debug, Default)]
pub struct PullArgs {
    /// Pull what it can and ignore images that fail
    #[arg(long)]
    pub ignore_pull_failures: bool,
    /// Pull without printing progress
    #[arg(short, long)]
    pub quiet: bool,
    /// Services (default: all with an image)
    pub services: Vec<String>,
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

/// Pulls, for `up`, the images of `services` that their policy (or the
/// `--pull` override) asks for. Services that build their image don't pull.
pub async fn pull_for_up(
    engine: &dyn Engine,
    project: &Project,
    services: &[String],
    override_policy: Option<&PullPolicy>,
    existing: &HashMap<String, String>,
    reporter: &dyn Reporter,
) -> Result<bool, Error> {
    let env: HashMap<String, String> = std::env::vars().collect();
    let mut pulled = false;
    let mut done: Vec<String> = Vec::new();
    for name in services {
        let svc = &project.services[name];
        if svc.build.is_some() || svc.image.is_none() {
            continue;
        }
        let image = image_ref(project, name, svc);
        if done.contains(&image) {
            continue;
        }
        let policy = override_policy.or(svc.pull_policy.as_ref());
        let exists = existing.contains_key(&image);
        let needs_age = policy.and_then(PullPolicy::refresh_after).is_some();
        let age = if needs_age && exists { image_age(engine, &image).await } else { None };
        if policy == Some(&PullPolicy::Never) && !exists {
            return Err(Error::new(
                ErrorKind::State,
                miette!(
                    code = "rcompose::image_missing",
                    help = "pull or build it first, or change pull_policy",
                    "no such image: {image} (service {name}, pull_policy: never)"
                ),
            ));
        }
        let pull = should_pull(policy, exists, age);
        if pull {
            pull_image(engine, &image, &env, reporter).await?;
            pulled = true;
        }
        done.push(image);
    }
    Ok(pulled)
}

pub fn run(global: &GlobalArgs, args: &PullArgs) -> Result<ExitCode, Error> {
    let project = global.load()?.project;
    for s in &args.services {
        if !project.services.contains_key(s) {
            return Err(Error::new(ErrorKind::Usage, miette!(code = "rcompose::unknown_service", "no such service: {s}")));
        }
    }
    let env: HashMap<String, String> = std::env::vars().collect();
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect().await?;
        let mode = if args.quiet { crate::progress::Mode::Quiet } else { global.progress };
        let reporter = crate::progress::reporter(mode);
        let mut images: Vec<String> = Vec::new();
        for (name, svc) in &project.services {
            if (args.services.is_empty() || args.services.contains(name)) && svc.image.is_some() {
                let image = image_ref(&project, name, svc);
                if !images.contains(&image) {
                    images.push(image);
                }
            }
        }
        if global.dry_run {
            return super::print_stdout(&images.iter().map(|i| format!("pull     image     {i}\n")).collect::<String>());
        }
        let results = futures::future::join_all(images.iter().map(|i| pull_image(&engine, i, &env, reporter.as_ref()))).await;
        let mut failed = None;
        for e in results.into_iter().filter_map(Result::err) {
            if args.ignore_pull_failures {
                reporter.warning(&e.to_string());
            } else if let Some(earlier) = failed.replace(e) {
                // Every failure is shown; the last one is the command's error.
                eprintln!("{:?}", miette::Report::new(earlier));
            }
        }
        match failed {
            Some(e) => Err(e.into()),
            None => Ok(ExitCode::SUCCESS),
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339() {
        assert_eq!(super::parse_rfc3339("1970-01-02T00:00:01.5Z"), Some(86401));
        assert!(super::parse_rfc3339("2026-11-23T05:20:01.123456789Z").unwrap() > 1_700_000_000);
    }
}
