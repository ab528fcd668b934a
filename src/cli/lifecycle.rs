//! `start`, `stop`, `restart`, `kill`, `rm`, `pause`, `unpause`, `wait`
//! and `port`: acting on the project's existing containers.

use std::process::ExitCode;

use miette::miette;

use super::{connect, GlobalArgs};
use crate::compose;
pub use crate::compose::Action;
use crate::engine::call;
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

pub fn run(global: &GlobalArgs, action: &Action, services: &[String]) -> Result<ExitCode, Error> {
    let (project, _) = super::load_or_name_only(global)?;
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect(global).await?;
        let reporter = crate::progress::reporter(global.progress);
        let steps = compose::lifecycle(&engine, &project, action, services, global.dry_run, reporter.as_ref()).await?;
        if global.dry_run {
            return super::print_stdout(&crate::render::plan::table(&steps));
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
        let engine = connect(global).await?;
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
        let engine = connect(global).await?;
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
