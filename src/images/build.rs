//! Building a service's image through the engine's classic builder.

use std::collections::HashMap;

use futures::StreamExt;
use miette::Diagnostic;

use crate::engine::context::tar_context;
use crate::engine::{BuildProgress, BuildSpec, Engine, EngineError};
use crate::model::{Project, Service};
use crate::progress::{Event, Kind, Reporter, Status};

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum BuildError {
    #[error("service \"{service}\" has no build section")]
    #[diagnostic(code(rcompose::no_build))]
    NoBuild { service: String },
    #[error("cannot prepare the build context of service \"{service}\": {reason}")]
    #[diagnostic(code(rcompose::build_context), help("check `build.context` and `.dockerignore`"))]
    Context { service: String, reason: String },
    #[error("building service \"{service}\" failed: {message}")]
    #[diagnostic(code(rcompose::build_failed), help("the last build output lines are above; fix the Dockerfile or the build arguments"))]
    Failed { service: String, message: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Engine(#[from] EngineError),
}

/// Flags of `build` / `up --build`.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    pub no_cache: bool,
    pub pull: bool,
    /// `--build-arg KEY=VALUE` over the file's args.
    pub args: HashMap<String, String>,
    /// `--dry-run`: say what would be built, build nothing.
    pub dry_run: bool,
}

/// Builds one service's image and tags it with its name (and `build.tags`).
/// Returns the image id.
pub async fn build_service(
    engine: &dyn Engine,
    project: &Project,
    name: &str,
    service: &Service,
    opts: &BuildOptions,
    reporter: &dyn Reporter,
) -> Result<String, BuildError> {
    let build = service.build.as_ref().ok_or_else(|| BuildError::NoBuild { service: name.into() })?;
    let image = crate::render::image_name(project, name, service);
    let context = build.context.clone().unwrap_or_else(|| project.working_dir.to_string_lossy().into_owned());
    let inline_name = ".rcompose.inline.Dockerfile";
    let dockerfile = match &build.dockerfile_inline {
        Some(_) => inline_name.to_string(),
        None => build.dockerfile.clone().unwrap_or_else(|| "Dockerfile".into()),
    };
    let inline = build.dockerfile_inline.clone();
    let ctx_dir = std::path::PathBuf::from(&context);
    let df = dockerfile.clone();
    let tar = tokio::task::spawn_blocking(move || tar_context(&ctx_dir, &df, inline.as_deref().map(|t| (inline_name, t))))
        .await
        .map_err(|e| BuildError::Context { service: name.into(), reason: e.to_string() })?
        .map_err(|reason| BuildError::Context { service: name.into(), reason })?;

    let mut args: HashMap<String, String> = build.args.iter().filter_map(|(k, v)| v.clone().map(|v| (k.clone(), v))).collect();
    args.extend(opts.args.clone());
    let labels: HashMap<String, String> = build.labels.clone().into_iter().collect();
    let extra_hosts: Vec<String> = build.extra_hosts.iter().flat_map(|(h, ips)| ips.iter().map(move |ip| format!("{h}:{ip}"))).collect();
    let spec = BuildSpec {
        tag: image.clone(),
        dockerfile,
        no_cache: opts.no_cache || build.no_cache.unwrap_or(false),
        pull: opts.pull || build.pull.unwrap_or(false),
        args,
        labels,
        target: build.target.clone(),
        cache_from: build.cache_from.clone(),
        network: build.network.clone(),
        shm_size: build.shm_size.map(|s| s.0),
        extra_hosts,
    };

    reporter.event(Event::new(Kind::Image, &image, Status::Building));
    let mut stream = engine.build_image(&spec, tar);
    let mut image_id = None;
    let mut tail: Vec<String> = Vec::new();
    while let Some(step) = stream.next().await {
        match step? {
            BuildProgress::Failed(message) => return Err(BuildError::Failed { service: name.into(), message }),
            BuildProgress::Output(text) => {
                for l in text.lines().map(str::trim_end).filter(|l| !l.is_empty()) {
                    reporter.event(Event::new(Kind::Image, &image, Status::Building).detail(l));
                    tail.push(l.to_string());
                    if tail.len() > 20 {
                        tail.remove(0);
                    }
                }
            }
            BuildProgress::Built(id) => image_id = Some(id),
        }
    }
    for tag in &build.tags {
        engine.tag_image(&image, tag).await?;
    }
    reporter.event(Event::new(Kind::Image, &image, Status::Built));
    Ok(image_id.unwrap_or_default())
}

pub use crate::engine::split_tag;

#[cfg(test)]
mod tests {
    #[test]
    fn split_tag_handles_registry_ports() {
        assert_eq!(super::split_tag("app:1.0"), ("app", "1.0"));
        assert_eq!(super::split_tag("localhost:5000/app"), ("localhost:5000/app", "latest"));
        assert_eq!(super::split_tag("localhost:5000/app:2"), ("localhost:5000/app", "2"));
    }
}
