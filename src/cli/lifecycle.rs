//! `start`, `stop`, `restart`, `kill`, `rm`, `pause`, `unpause`, `wait`
//! and `port`: acting on the project's existing containers.

use std::process::ExitCode;
use std::time::Duration;

use bollard::query_parameters::{KillContainerOptionsBuilder, RemoveContainerOptionsBuilder, RestartContainerOptionsBuilder, StopContainerOptionsBuilder};
use miette::miette;

use super::{connect, GlobalArgs};
use crate::engine::State;
use crate::engine::{call, call_with_grace, Docker, EngineError};
use crate::graph::ServiceGraph;
use crate::model::Project;
use crate::progress::{Event, Kind, Reporter, Status};
use crate::reconcile::observe::{observe_containers, ObservedContainer};
use crate::{Error, ErrorKind};

#[derive(clap::Args, Debug, Default)]
pub struct ServicesArgs {
    /// Services (default: all)
    pub services: Vec<String>,
}

#[derive(clap::Args, Debug, Default)]
pub struct StopArgs {
    /// Shutdown timeout in seconds
    #[arg(short = 't', long)]
    pub timeout: Option<i32>,
    /// Services (default: all)
    pub services: Vec<String>,
}

#[derive(clap::Args, Debug, Default)]
pub struct KillArgs {
    /// Signal to send
    #[arg(short = 's', long, default_value = "SIGKILL")]
    pub signal: String,
    /// Services (default: all)
    pub services: Vec<String>,
}

#[derive(clap::Args, Debug, Default)]
pub struct RmArgs {
    /// Don't ask to confirm removal (rcompose never asks)
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Stop the containers, if required, before removing
    #[arg(short = 's', long)]
    pub stop: bool,
    /// Remove anonymous volumes attached to containers
    #[arg(short = 'v', long)]
    pub volumes: bool,
    /// Services (default: all)
    pub services: Vec<String>,
}

#[derive(clap::Args, Debug, Default)]
pub struct PortArgs {
    /// Which replica (default 1)
    #[arg(long, default_value = "1")]
    pub index: u32,
    /// tcp or udp
    #[arg(long, default_value = "tcp")]
    pub protocol: String,
    pub service: String,
    pub private_port: u16,
}

pub enum Action {
    Start,
    Stop(Option<i32>),
    Restart(Option<i32>),
    Kill(String),
    Rm { stop: bool, volumes: bool },
    Pause,
    Unpause,
}

impl Action {
    /// The `-t` given to stop or restart.
    fn timeout(&self) -> Option<i32> {
        match self {
            Action::Stop(t) | Action::Restart(t) => *t,
            _ => None,
        }
    }
}

/// Containers of the chosen services, grouped by dependency level (start
/// order); services outside the graph come last.
fn by_level<'a>(project: &Project, containers: &[&'a ObservedContainer]) -> Vec<Vec<&'a ObservedContainer>> {
    let levels = ServiceGraph::build(project).levels().unwrap_or_default();
    let mut out: Vec<Vec<&ObservedContainer>> = levels.iter().map(|l| containers.iter().filter(|c| l.contains(&c.labels.service)).copied().collect()).collect();
    out.push(containers.iter().filter(|c| !levels.iter().any(|l| l.contains(&c.labels.service))).copied().collect());
    out.retain(|l| !l.is_empty());
    out
}

/// How long a stop of `c` may take: `-t`, else the service's
/// stop_grace_period, else the engine's default of 10 s.
fn grace(project: &Project, t: Option<i32>, c: &ObservedContainer) -> Duration {
    let service = project.services.get(&c.labels.service).and_then(|s| s.stop_grace_period).map(|g| g.0);
    t.map(|t| Duration::from_secs(t.max(0) as u64)).or(service).unwrap_or(Duration::from_secs(10))
}

async fn act(engine: &Docker, action: &Action, c: &ObservedContainer, grace: Duration, reporter: &dyn Reporter) -> Result<(), EngineError> {
    let d = &engine.docker;
    let ev = |s: Status| reporter.event(Event::new(Kind::Container, &c.name, s));
    match action {
        Action::Start => {
            if c.state == State::Running {
                return Ok(());
            }
            ev(Status::Starting);
            call(format!("start {}", c.name), d.start_container(&c.id, None)).await?;
            ev(Status::Started);
        }
        Action::Stop(t) => {
            if c.state != State::Running && c.state != State::Paused && c.state != State::Restarting {
                return Ok(());
            }
            ev(Status::Stopping);
            let mut o = StopContainerOptionsBuilder::default();
            if let Some(t) = t {
                o = o.t(*t);
            }
            call_with_grace(format!("stop {}", c.name), grace, d.stop_container(&c.id, Some(o.build()))).await?;
            ev(Status::Stopped);
        }
        Action::Restart(t) => {
            ev(Status::Starting);
            let mut o = RestartContainerOptionsBuilder::default();
            if let Some(t) = t {
                o = o.t(*t);
            }
            call_with_grace(format!("restart {}", c.name), grace, d.restart_container(&c.id, Some(o.build()))).await?;
            ev(Status::Started);
        }
        Action::Kill(sig) => {
            if c.state != State::Running {
                return Ok(());
            }
            call(format!("kill {}", c.name), d.kill_container(&c.id, Some(KillContainerOptionsBuilder::default().signal(sig).build()))).await?;
            ev(Status::Stopped);
        }
        Action::Rm { stop, volumes } => {
            if c.state == State::Running && !stop {
                return Ok(());
            }
            if c.state == State::Running {
                ev(Status::Stopping);
                call_with_grace(format!("stop {}", c.name), grace, d.stop_container(&c.id, None)).await?;
            }
            ev(Status::Removing);
            let o = RemoveContainerOptionsBuilder::default().v(*volumes).force(true).build();
            call(format!("remove {}", c.name), d.remove_container(&c.id, Some(o))).await?;
            ev(Status::Removed);
        }
        Action::Pause => {
            if c.state == State::Running {
                call(format!("pause {}", c.name), d.pause_container(&c.id)).await?;
            }
        }
        Action::Unpause => {
            if c.state == State::Paused {
                call(format!("unpause {}", c.name), d.unpause_container(&c.id)).await?;
            }
        }
    }
    Ok(())
}

pub fn run(global: &GlobalArgs, action: &Action, services: &[String]) -> Result<ExitCode, Error> {
    let (project, _) = super::load_or_name_only(global)?;
    for s in services {
        if !project.services.is_empty() && !project.services.contains_key(s) {
            return Err(Error::new(ErrorKind::Usage, miette!(code = "rcompose::unknown_service", "no such service: {s}")));
        }
    }
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect().await?;
        let observed = observe_containers(&engine, &project).await?;
        let chosen: Vec<&ObservedContainer> = observed
            .containers
            .iter()
            .filter(|c| services.is_empty() || services.contains(&c.labels.service))
            .filter(|c| !c.labels.oneoff || matches!(action, Action::Rm { .. } | Action::Stop(_) | Action::Kill(_)))
            .collect();
        if chosen.is_empty() && matches!(action, Action::Start) {
            return Err(Error::new(
                ErrorKind::State,
                miette!(code = "rcompose::no_containers", help = "create them with `rcompose up -d`", "no containers to start"),
            ));
        }
        let mut levels = by_level(&project, &chosen);
        if matches!(action, Action::Stop(_) | Action::Rm { .. } | Action::Kill(_)) {
            levels.reverse();
        }
        if global.dry_run {
            let verb = match &action {
                Action::Start => "start",
                Action::Stop(_) => "stop",
                Action::Restart(_) => "restart",
                Action::Kill(_) => "kill",
                Action::Rm { .. } => "remove",
                Action::Pause => "pause",
                Action::Unpause => "unpause",
            };
            let lines: String = levels.iter().flatten().map(|c| format!("{verb:<8} container {}\n", c.name)).collect();
            return super::print_stdout(&lines);
        }
        let reporter = crate::progress::reporter(global.progress);
        for level in levels {
            let results =
                futures::future::join_all(level.iter().map(|c| act(&engine, action, c, grace(&project, action.timeout(), c), reporter.as_ref()))).await;
            for r in results {
                r?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `wait`: blocks until the services' containers stop; exits with the
/// first container's exit code.
pub fn wait(global: &GlobalArgs, services: &[String]) -> Result<ExitCode, Error> {
    let (project, _) = super::load_or_name_only(global)?;
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect().await?;
        let observed = observe_containers(&engine, &project).await?;
        let chosen: Vec<&ObservedContainer> =
            observed.containers.iter().filter(|c| !c.labels.oneoff && (services.is_empty() || services.contains(&c.labels.service))).collect();
        if chosen.is_empty() {
            return Err(Error::new(ErrorKind::State, miette!(code = "rcompose::no_containers", "no containers to wait for")));
        }
        let mut first = None;
        for c in chosen {
            // Only the engine's answer is an exit code; a lost engine is an error.
            let code = crate::engine::wait::exit_code(&engine, &c.id, &c.name).await?;
            println!("{} exited with code {code}", c.name);
            first.get_or_insert(code);
        }
        Ok(crate::container_exit(first.unwrap_or(0)))
    })
}

/// `port`: the public address of a container port.
pub fn port(global: &GlobalArgs, args: &PortArgs) -> Result<ExitCode, Error> {
    let (project, _) = super::load_or_name_only(global)?;
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect().await?;
        let observed = observe_containers(&engine, &project).await?;
        let c = observed.replica(&args.service, args.index).cloned().ok_or_else(|| {
            Error::new(ErrorKind::State, miette!(code = "rcompose::no_container", "service \"{}\" has no container number {}", args.service, args.index))
        })?;
        let info = call("inspect container", engine.docker.inspect_container(&c.id, None)).await?;
        let key = format!("{}/{}", args.private_port, args.protocol);
        let binding = info
            .network_settings
            .and_then(|n| n.ports)
            .and_then(|p| p.get(&key).cloned().flatten())
            .and_then(|b| b.into_iter().next())
            .ok_or_else(|| Error::new(ErrorKind::State, miette!(code = "rcompose::no_port", "no public port for {key} on {}", c.name)))?;
        println!("{}:{}", binding.host_ip.unwrap_or_default(), binding.host_port.unwrap_or_default());
        Ok(ExitCode::SUCCESS)
    })
}
