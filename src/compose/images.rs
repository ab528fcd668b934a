//! Which images `up` pulls and builds, and why: a pure decision from the
//! project, the images present and their ages, and the flags.

use std::collections::HashMap;
use std::time::Duration;

use miette::miette;

use crate::images::pull::should_pull;
use crate::model::{Project, PullPolicy};
use crate::reconcile::plan::image_ref;
use crate::reconcile::steps::{Noun, Step, Verb};
use crate::{Error, ErrorKind};

/// How `up` treats images.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageFlags {
    /// `--build`: build every image that has a build section.
    pub build: bool,
    /// `--no-build`: never build, even a missing image.
    pub no_build: bool,
    /// `--pull`: overrides each service's `pull_policy`.
    pub pull: Option<PullPolicy>,
}

/// One image to get before the containers are made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageWork {
    Pull { image: String, reason: String },
    Build { service: String, image: String, reason: String },
}

impl ImageWork {
    pub fn step(&self) -> Step {
        match self {
            ImageWork::Pull { image, reason } => Step::new(Verb::Pull, Noun::Image, image.clone(), reason.clone()),
            ImageWork::Build { image, reason, .. } => Step::new(Verb::Build, Noun::Image, image.clone(), reason.clone()),
        }
    }
}

/// Services in `scope` whose pull policy depends on the age of a present image.
pub fn needs_age<'a>(project: &'a Project, scope: &'a [String], flags: &'a ImageFlags) -> impl Iterator<Item = String> + 'a {
    scope.iter().filter_map(move |name| {
        let svc = &project.services[name];
        let policy = flags.pull.as_ref().or(svc.pull_policy.as_ref())?;
        policy.refresh_after().map(|_| image_ref(project, name, svc))
    })
}

/// What to pull and build for the services in `scope`. `present` maps image
/// references to ids; `ages` says how old the present images are where a
/// policy asks. An image a service must not pull and that is missing is an
/// error, before anything is done.
pub fn decide(
    project: &Project,
    scope: &[String],
    present: &HashMap<String, String>,
    ages: &HashMap<String, Duration>,
    flags: &ImageFlags,
) -> Result<Vec<ImageWork>, Error> {
    let mut work: Vec<ImageWork> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for name in scope {
        let svc = &project.services[name];
        let image = image_ref(project, name, svc);
        if seen.contains(&image) {
            continue;
        }
        seen.push(image.clone());
        let exists = present.contains_key(&image);
        let policy = flags.pull.as_ref().or(svc.pull_policy.as_ref());
        if svc.build.is_some() {
            if flags.no_build {
                continue;
            }
            let reason = if flags.build {
                "--build"
            } else if svc.pull_policy == Some(PullPolicy::Build) {
                "pull_policy: build"
            } else if !exists {
                "missing"
            } else {
                continue;
            };
            work.push(ImageWork::Build { service: name.clone(), image, reason: reason.into() });
            continue;
        }
        if svc.image.is_none() {
            continue;
        }
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
        if should_pull(policy, exists, ages.get(&image).copied()) {
            let reason = match (exists, policy) {
                (false, _) => "missing".to_string(),
                (true, Some(p)) => format!("pull_policy: {p}"),
                (true, None) => "--pull".to_string(),
            };
            work.push(ImageWork::Pull { image, reason });
        }
    }
    Ok(work)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Build, Service};

    fn project() -> Project {
        let mut p = Project { name: "demo".into(), ..Project::default() };
        p.services.insert("db".into(), Service { image: Some("postgres:16".into()), ..Service::default() });
        p.services.insert("web".into(), Service { build: Some(Build::default()), ..Service::default() });
        p.services.insert("cache".into(), Service { image: Some("redis".into()), pull_policy: Some(PullPolicy::Always), ..Service::default() });
        p
    }

    fn all(p: &Project) -> Vec<String> {
        p.services.keys().cloned().collect()
    }

    #[test]
    fn missing_images_are_pulled_or_built_and_always_pulls_again() {
        let p = project();
        let present = HashMap::from([("redis".to_string(), "sha256:1".to_string())]);
        let work = decide(&p, &all(&p), &present, &HashMap::new(), &ImageFlags::default()).unwrap();
        let steps: Vec<String> =
            work.iter().map(|w| crate::render::plan::table(&crate::reconcile::steps::Steps { steps: vec![w.step()], warnings: vec![] })).collect();
        assert_eq!(
            steps.concat(),
            "pull     image     postgres:16  (missing)\nbuild    image     demo-web  (missing)\npull     image     redis  (pull_policy: always)\n"
        );
    }

    #[test]
    fn no_build_skips_builds_and_never_refuses_a_missing_image() {
        let mut p = project();
        let flags = ImageFlags { no_build: true, ..ImageFlags::default() };
        let work = decide(&p, &all(&p), &HashMap::new(), &HashMap::new(), &flags).unwrap();
        assert!(work.iter().all(|w| matches!(w, ImageWork::Pull { .. })), "{work:?}");
        p.services["db"].pull_policy = Some(PullPolicy::Never);
        let err = decide(&p, &all(&p), &HashMap::new(), &HashMap::new(), &ImageFlags::default()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::State);
    }
}
