//! `rcompose run`: a one-off container for a service, with its
//! dependencies started first; the command's exit code is passed through.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::process::ExitCode;

use bollard::query_parameters::{AttachContainerOptionsBuilder, CreateContainerOptionsBuilder, RemoveContainerOptionsBuilder};
use miette::miette;

use super::stdio::{forward_stdin, pump_output, RawMode};
use super::{connect, GlobalArgs};
use crate::engine::call;
use crate::graph::EdgeKind;
use crate::model::forms::Command;
use crate::reconcile::execute::{parallel_limit, Executor};
use crate::reconcile::hash::config_hash;
use crate::reconcile::observe::{observe, observe_containers};
use crate::reconcile::plan::{image_ref, plan_up, UpOptions};
use crate::reconcile::spec::{container_body, SpecInput};
use crate::{Error, ErrorKind};

#[derive(clap::Args, Debug, Default)]
#[command(trailing_var_arg = true)]
pub struct RunArgs {
    /// Run the container in the background and print its name
    #[arg(short = 'd', long)]
    pub detach: bool,
    /// Remove the container when it exits
    #[arg(long)]
    pub rm: bool,
    /// Set environment variables
    #[arg(short = 'e', long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Add a label
    #[arg(short = 'l', long = "label", value_name = "KEY=VALUE")]
    pub labels: Vec<String>,
    /// Bind mount a volume (SOURCE:TARGET[:MODE])
    #[arg(short = 'v', long = "volume")]
    pub volumes: Vec<String>,
    /// Override the image's entrypoint
    #[arg(long)]
    pub entrypoint: Option<String>,
    /// Don't start linked services
    #[arg(long)]
    pub no_deps: bool,
    /// Disable pseudo-TTY allocation
    #[arg(short = 'T', long = "no-TTY")]
    pub no_tty: bool,
    /// Name the container
    #[arg(long)]
    pub name: Option<String>,
    /// Run as this user
    #[arg(short = 'u', long)]
    pub user: Option<String>,
    /// Working directory inside the container
    #[arg(short = 'w', long = "workdir")]
    pub workdir: Option<String>,
    /// Publish the service's ports
    #[arg(long)]
    pub service_ports: bool,
    /// The service
    pub service: String,
    /// Command and arguments (default: the service's command)
    #[arg(allow_hyphen_values = true)]
    pub command: Vec<String>,
}

fn short_id() -> String {
    let mut bytes = [0u8; 6];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        let _ = std::io::Read::read_exact(&mut f, &mut bytes);
    }
    hex::encode(bytes)
}

pub fn run(global: &GlobalArgs, args: &RunArgs) -> Result<ExitCode, Error> {
    let mut project = global.load()?.project;
    // `run` enables a service whose profile is off, as docker compose does.
    if let Some(svc) = project.disabled_services.shift_remove(&args.service) {
        project.services.insert(args.service.clone(), svc);
    }
    let Some(base) = project.services.get(&args.service).cloned() else {
        return Err(Error::new(
            ErrorKind::Usage,
            miette!(code = "rcompose::unknown_service", help = "`rcompose config --services` lists the services", "no such service: {}", args.service),
        ));
    };
    if global.dry_run {
        let cmd = if args.command.is_empty() { base.command.as_ref().map(|c| c.0.join(" ")).unwrap_or_default() } else { args.command.join(" ") };
        return super::print_stdout(&format!("run      one-off   {} ({cmd}){}\n", args.service, if args.rm { ", removed after" } else { "" }));
    }
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect().await?;
        let reporter = crate::progress::reporter(global.progress);
        let env: HashMap<String, String> = std::env::vars().collect();
        if !args.no_deps {
            let deps: Vec<String> = crate::graph::ServiceGraph::build(&project).dependencies(&args.service).into_iter().map(|(d, _)| d.to_string()).collect();
            if !deps.is_empty() {
                let images: Vec<String> = project.services.iter().map(|(n, s)| image_ref(&project, n, s)).collect();
                let observed = observe(&engine, &project, &images).await?;
                let plan = plan_up(&project, &observed, &UpOptions { services: deps, ..Default::default() })?;
                let exec = Executor::new(&engine, &project, reporter.as_ref(), parallel_limit(&env));
                exec.up(&plan).await?;
                // The one-off is not in that plan, so its own depends_on
                // conditions are waited for here, as `up` waits for a
                // service's (and as docker compose's `run` does).
                let observed = observe_containers(&engine, &project).await?;
                for (dep, kind) in crate::graph::ServiceGraph::build(&project).dependencies(&args.service) {
                    let EdgeKind::DependsOn { condition, required, .. } = kind else { continue };
                    let ids: Vec<String> = observed.service_containers(dep).iter().map(|c| c.id.clone()).collect();
                    exec.wait_condition(dep, &args.service, condition, required, &ids).await?;
                }
            }
        }

        // The service's own networks and volumes, even with --no-deps.
        {
            let observed = observe(&engine, &project, &[]).await?;
            let own = UpOptions { services: vec![args.service.clone()], no_deps: true, ..Default::default() };
            let mut plan = plan_up(&project, &observed, &own)?;
            plan.ops.retain(|op| matches!(op, crate::reconcile::plan::Op::CreateNetwork { .. } | crate::reconcile::plan::Op::CreateVolume { .. }));
            plan.services.clear();
            plan.warnings.clear();
            Executor::new(&engine, &project, reporter.as_ref(), parallel_limit(&env)).up(&plan).await?;
        }

        let mut svc = base.clone();
        if !args.command.is_empty() {
            svc.command = Some(Command(args.command.clone()));
        }
        if let Some(ep) = &args.entrypoint {
            let words = shell_words::split(ep).map_err(|_| Error::new(ErrorKind::Usage, miette!("cannot split --entrypoint `{ep}`")))?;
            svc.entrypoint = Some(Command(words));
        }
        for e in &args.env {
            match e.split_once('=') {
                Some((k, v)) => svc.environment.insert(k.to_string(), Some(v.to_string())),
                None => svc.environment.insert(e.clone(), std::env::var(e).ok()),
            };
        }
        for l in &args.labels {
            let (k, v) = l.split_once('=').unwrap_or((l.as_str(), ""));
            svc.labels.insert(k.to_string(), v.to_string());
        }
        let cwd = std::env::current_dir().unwrap_or_default();
        for v in &args.volumes {
            let spec = crate::load::mounts::parse(v)
                .map_err(|e| Error::new(ErrorKind::Usage, miette!(code = "rcompose::invalid_volume", "invalid --volume `{v}`: {e}")))?;
            let source = spec.source.clone().map(|s| {
                if spec.bind {
                    crate::load::paths::absolutize(&cwd, &s, std::env::var_os("HOME").as_deref().map(std::path::Path::new)).to_string_lossy().into_owned()
                } else {
                    s
                }
            });
            svc.volumes.push(crate::model::ServiceVolume {
                kind: if spec.bind { crate::model::MountType::Bind } else { crate::model::MountType::Volume },
                source,
                target: spec.target,
                read_only: spec.read_only,
                bind: spec.bind.then(|| crate::model::mounts::BindOptions { create_host_path: Some(true), ..Default::default() }),
                ..Default::default()
            });
        }
        if args.user.is_some() {
            svc.user = args.user.clone();
        }
        if args.workdir.is_some() {
            svc.working_dir = args.workdir.clone();
        }
        if !args.service_ports {
            svc.ports.clear();
        }
        svc.restart = None;
        svc.container_name = None;
        let tty = !args.no_tty && !args.detach && std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
        svc.tty = Some(tty);
        svc.stdin_open = Some(!args.detach);

        let name = args.name.clone().unwrap_or_else(|| format!("{}-{}-run-{}", project.name, args.service, short_id()));
        let input = SpecInput {
            project: project.name.clone(),
            service: args.service.clone(),
            number: 1,
            container_name: name.clone(),
            image: image_ref(&project, &args.service, &base),
            config_hash: config_hash(&svc),
            oneoff: true,
            ..SpecInput::default()
        };
        let mut body = container_body(&project, &svc, &input);
        body.attach_stdin = Some(!args.detach);
        body.attach_stdout = Some(!args.detach);
        body.attach_stderr = Some(!args.detach);
        body.stdin_once = Some(true);
        let d = &engine.docker;
        let created =
            call(format!("create container {name}"), d.create_container(Some(CreateContainerOptionsBuilder::default().name(&name).build()), body)).await?;
        let id = created.id;
        if args.detach {
            call(format!("start {name}"), d.start_container(&id, None)).await?;
            println!("{name}");
            return Ok(ExitCode::SUCCESS);
        }
        let attach = AttachContainerOptionsBuilder::default().stream(true).stdin(true).stdout(true).stderr(true).build();
        let attached = call("attach", d.attach_container(&id, Some(attach))).await?;
        let _raw = tty.then(RawMode::enable);
        call(format!("start {name}"), d.start_container(&id, None)).await?;
        forward_stdin(attached.input);
        // The attach stream may stay open after the container exits (its stdin
        // side is still ours): the exit decides, then the output gets a moment
        // to drain.
        let pump = tokio::spawn(pump_output(attached.output));
        // Asked after the start: "not-running" is then the exit, even when
        // the command has already finished. A lost engine is an error, never
        // an exit code.
        let code = crate::engine::wait::exit_code(&engine, &id, &name).await?;
        if tokio::time::timeout(std::time::Duration::from_secs(2), pump).await.is_err() {
            tracing::debug!("output stream still open after exit; closing it");
        }
        drop(_raw);
        if args.rm {
            let opts = RemoveContainerOptionsBuilder::default().force(true).v(true).build();
            call(format!("remove {name}"), d.remove_container(&id, Some(opts))).await?;
        }
        Ok(crate::container_exit(code))
    })
}
