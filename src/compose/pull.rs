//! `pull` as an operation: every image of the chosen services that is not
//! built, each once, at the same time. A failed pull fails the operation
//! unless failures are ignored; every failure is reported.

use std::collections::HashMap;

use miette::miette;

use crate::engine::Engine;
use crate::images::pull::pull_image;
use crate::model::Project;
use crate::progress::Reporter;
use crate::reconcile::plan::image_ref;
use crate::reconcile::steps::{Noun, Step, Steps, Verb};
use crate::{Error, ErrorKind};

/// What `pull` is asked to do.
#[derive(Clone, Debug, Default)]
pub struct PullRequest {
    /// Services (all with an image when empty).
    pub services: Vec<String>,
    /// `--ignore-pull-failures`: a failure is a warning.
    pub ignore_failures: bool,
    pub dry_run: bool,
}

/// Pulls the images; returns the steps done (or, in a dry run, to do).
pub async fn pull(engine: &dyn Engine, project: &Project, req: &PullRequest, reporter: &dyn Reporter) -> Result<Steps, Error> {
    for s in &req.services {
        if !project.services.contains_key(s) {
            return Err(Error::new(ErrorKind::Usage, miette!(code = "rcompose::unknown_service", "no such service: {s}")));
        }
    }
    let mut images: Vec<String> = Vec::new();
    for (name, svc) in &project.services {
        if (req.services.is_empty() || req.services.contains(name)) && svc.image.is_some() {
            let image = image_ref(project, name, svc);
            if !images.contains(&image) {
                images.push(image);
            }
        }
    }
    let steps = Steps { steps: images.iter().map(|i| Step::new(Verb::Pull, Noun::Image, i.clone(), "")).collect(), warnings: Vec::new() };
    if req.dry_run {
        return Ok(steps);
    }
    let env: HashMap<String, String> = std::env::vars().collect();
    let results = futures::future::join_all(images.iter().map(|i| pull_image(engine, i, &env, reporter))).await;
    let mut failed = None;
    for e in results.into_iter().filter_map(Result::err) {
        if req.ignore_failures {
            reporter.warning(&e.to_string());
        } else if let Some(earlier) = failed.replace(e) {
            // Every failure is told; the last one is the operation's error.
            reporter.warning(&earlier.to_string());
        }
    }
    match failed {
        Some(e) => Err(e.into()),
        None => Ok(steps),
    }
}
