//! `build` as an operation: the images of the services that have a build
//! section (all, or the ones named), at the same time.

use miette::miette;

use crate::engine::Engine;
use crate::images::build::{build_service, BuildOptions};
use crate::model::Project;
use crate::progress::Reporter;
use crate::reconcile::steps::{Noun, Step, Steps, Verb};
use crate::{Error, ErrorKind};

/// Builds the named services (all with a build section when empty).
pub async fn build(engine: &dyn Engine, project: &Project, services: &[String], opts: &BuildOptions, reporter: &dyn Reporter) -> Result<Steps, Error> {
    for s in services {
        if !project.services.contains_key(s) {
            return Err(Error::new(ErrorKind::Usage, miette!(code = "rcompose::unknown_service", "no such service: {s}")));
        }
    }
    let targets: Vec<(&String, &crate::model::Service)> =
        project.services.iter().filter(|(n, s)| s.build.is_some() && (services.is_empty() || services.contains(n))).collect();
    let steps = Steps {
        steps: targets.iter().map(|(n, s)| Step::new(Verb::Build, Noun::Image, crate::render::image_name(project, n, s), "")).collect(),
        warnings: Vec::new(),
    };
    if opts.dry_run {
        return Ok(steps);
    }
    let results = futures::future::join_all(targets.iter().map(|(n, s)| build_service(engine, project, n, s, opts, reporter))).await;
    for r in results {
        r?;
    }
    Ok(steps)
}
