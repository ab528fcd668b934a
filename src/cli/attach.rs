//! `rcompose attach SERVICE`: a running service container's output from
//! now on, and our stdin when it keeps stdin open; with a TTY the terminal
//! goes raw. Signals are passed to the container (`--sig-proxy`, on by
//! default, not with a TTY, where they are keys). Exits with the
//! container's exit code when it stops, 0 when detached (ctrl-p ctrl-q or
//! `--detach-keys`).

use std::process::ExitCode;

use futures::StreamExt;
use tokio::signal::unix::{signal, SignalKind};

use super::stdio::{forward_stdin_keep_open, pump_output, RawMode};
use super::{connect, GlobalArgs};
use crate::compose::{attach_target, AttachTarget};
use crate::engine::{AttachSpec, ContainerRef, Engine};
use crate::reconcile::steps::{Noun, Step, Steps, Verb};
use crate::{Error, ErrorKind};

#[derive(clap::Args, Debug, Default)]
pub struct AttachArgs {
    /// Override the key sequence for detaching from a container
    #[arg(long, value_name = "KEYS")]
    pub detach_keys: Option<String>,
    /// Which replica of the service (default 1)
    #[arg(long, default_value = "1")]
    pub index: u32,
    /// Do not attach STDIN
    #[arg(long)]
    pub no_stdin: bool,
    /// Proxy all received signals to the process (default true; `--sig-proxy=false` to not)
    #[arg(long, num_args = 0..=1, require_equals = true, default_value = "true", default_missing_value = "true", action = clap::ArgAction::Set)]
    pub sig_proxy: bool,
    /// The service
    pub service: String,
}

pub fn run(global: &GlobalArgs, args: &AttachArgs) -> Result<ExitCode, Error> {
    let (project, _) = super::load_or_name_only(global)?;
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect(global).await?;
        let target = attach_target(&engine, &project, &args.service, args.index, args.no_stdin).await?;
        if global.dry_run {
            let step = Step::new(Verb::Run, Noun::Container, target.container.name.clone(), "attach");
            return super::print_stdout(&crate::render::plan::table(&Steps { steps: vec![step], warnings: Vec::new() }));
        }
        attach(&engine, &target, args).await
    })
}

async fn attach(engine: &dyn Engine, target: &AttachTarget, args: &AttachArgs) -> Result<ExitCode, Error> {
    let c = &target.container;
    let me = ContainerRef::new(&c.id, &c.name);
    let spec = AttachSpec { stdin: target.stdin, detach_keys: args.detach_keys.clone() };
    let attached = engine.attach_running(me, &spec).await?;
    let system = |e: std::io::Error| Error::new(ErrorKind::System, miette::miette!("cannot handle signals: {e}"));
    let mut sigint = signal(SignalKind::interrupt()).map_err(system)?;
    let mut sigterm = signal(SignalKind::terminate()).map_err(system)?;
    {
        let _raw = (target.tty && target.stdin).then(RawMode::enable);
        if target.stdin {
            forward_stdin_keep_open(attached.input);
        }
        let output = pump_output(attached.output.boxed());
        tokio::pin!(output);
        loop {
            let sent = tokio::select! {
                () = &mut output => break,
                _ = sigint.recv() => "SIGINT",
                _ = sigterm.recv() => "SIGTERM",
            };
            if !args.sig_proxy || target.tty {
                return Err(Error::Interrupted);
            }
            let _ = engine.kill_container(me, sent).await;
        }
    }
    // The output ended: the container stopped (the engine may take a moment
    // to say so), or we were detached.
    for _ in 0..10 {
        let info = engine.inspect_container(me).await?;
        if !info.running {
            return Ok(crate::container_exit(info.exit_code.unwrap_or(0)));
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Ok(ExitCode::SUCCESS)
}
