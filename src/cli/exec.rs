//! `rcompose exec`: run a command in a running service container, with a
//! TTY when there is one, passing its exit code through.

use std::io::IsTerminal;
use std::process::ExitCode;

use miette::miette;

use super::stdio::{forward_stdin, pump_output, terminal_size, RawMode};
use super::{connect, GlobalArgs};
use crate::engine::{ContainerRef, Engine, EngineError, ExecSpec, State};
use crate::reconcile::observe::observe_containers;
use crate::reconcile::steps::{Noun, Step, Steps, Verb};
use crate::{Error, ErrorKind};

#[derive(clap::Args, Debug, Default)]
#[command(trailing_var_arg = true)]
pub struct ExecArgs {
    /// Detached mode: run the command in the background
    #[arg(short = 'd', long)]
    pub detach: bool,
    /// Disable pseudo-TTY allocation (on by default when stdin and stdout are terminals)
    #[arg(short = 'T', long = "no-TTY")]
    pub no_tty: bool,
    /// Set environment variables
    #[arg(short = 'e', long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Working directory for the command
    #[arg(short = 'w', long = "workdir")]
    pub workdir: Option<String>,
    /// Run the command as this user
    #[arg(short = 'u', long = "user")]
    pub user: Option<String>,
    /// Which replica of the service (default 1)
    #[arg(long, default_value = "1")]
    pub index: u32,
    /// Give extended privileges to the process
    #[arg(long)]
    pub privileged: bool,
    /// The service
    pub service: String,
    /// The command and its arguments
    #[arg(required = true, allow_hyphen_values = true)]
    pub command: Vec<String>,
}

pub fn run(global: &GlobalArgs, args: &ExecArgs) -> Result<ExitCode, Error> {
    let (project, _) = super::load_or_name_only(global)?;
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect(global).await?;
        let observed = observe_containers(&engine, &project).await?;
        let container = observed.replica(&args.service, args.index).cloned().ok_or_else(|| {
            let help = format!("start it with `rcompose up -d {}`", args.service);
            Error::new(
                ErrorKind::State,
                miette!(code = "rcompose::no_container", help = help, "service \"{}\" has no container number {}", args.service, args.index),
            )
        })?;
        if container.state != State::Running {
            let help = format!("start it with `rcompose start {}`", args.service);
            return Err(Error::new(ErrorKind::State, miette!(code = "rcompose::not_running", help = help, "container {} is not running", container.name)));
        }
        if global.dry_run {
            let step = Step::new(Verb::Exec, Noun::Container, container.name.clone(), args.command.join(" "));
            return super::print_stdout(&crate::render::plan::table(&Steps { steps: vec![step], warnings: Vec::new() }));
        }
        let tty = !args.no_tty && std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
        let spec = ExecSpec {
            command: args.command.clone(),
            env: args.env.clone(),
            workdir: args.workdir.clone(),
            user: args.user.clone(),
            privileged: args.privileged,
            tty,
            attach: !args.detach,
        };
        let exec = engine.exec_create(ContainerRef::new(&container.id, &container.name), &spec).await?;
        let Some(attached) = engine.exec_start(&exec, !args.detach, tty).await? else {
            return Ok(ExitCode::SUCCESS);
        };
        {
            let _raw = tty.then(RawMode::enable);
            if let Some((w, h)) = terminal_size().filter(|_| tty) {
                let _ = engine.exec_resize(&exec, w, h).await;
            }
            forward_stdin(attached.input);
            pump_output(attached.output).await;
        }
        let status = engine.exec_inspect(&exec).await?;
        // The output ended; without an exit code the command may still be
        // running (the stream broke), which is not success.
        let code = status.exit_code.filter(|_| !status.running).ok_or_else(|| EngineError::Lost {
            action: format!("exec in {}", container.name),
            reason: "the output stream ended before the command did".into(),
        })?;
        Ok(crate::container_exit(code))
    })
}
