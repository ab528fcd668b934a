//! `rcompose run`: a one-off container for a service, with its
//! dependencies started first; the command's exit code is passed through.

use std::io::IsTerminal;
use std::process::ExitCode;

use super::stdio::{forward_stdin, pump_output, RawMode};
use super::{connect, GlobalArgs};
use crate::compose::{self, OneOffOverrides, Prepared, RunRequest};
use crate::engine::{ContainerRef, Engine};
use crate::Error;

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
    #[arg(short = 'v', long = "volume", help = "Bind mount a volume (SOURCE:TARGET[:MODE])")]
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

impl RunArgs {
    /// The operation's request for these flags.
    fn request(&self, dry_run: bool) -> RunRequest {
        let tty = !self.no_tty && !self.detach && std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
        RunRequest {
            service: self.service.clone(),
            overrides: OneOffOverrides {
                command: self.command.clone(),
                entrypoint: self.entrypoint.clone(),
                env: self.env.clone(),
                labels: self.labels.clone(),
                volumes: self.volumes.clone(),
                user: self.user.clone(),
                workdir: self.workdir.clone(),
                service_ports: self.service_ports,
                name: self.name.clone(),
            },
            no_deps: self.no_deps,
            tty,
            interactive: !self.detach,
            rm: self.rm,
            dry_run,
        }
    }
}

pub fn run(global: &GlobalArgs, args: &RunArgs) -> Result<ExitCode, Error> {
    let project = global.load()?.project;
    // An unknown service fails before the engine is asked anything.
    compose::run::with_service(&project, &args.service)?;
    let req = args.request(global.dry_run);
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect(global).await?;
        let reporter = crate::progress::reporter(global.progress);
        let one_off = match compose::prepare_run(&engine, &project, &req, reporter.as_ref()).await? {
            Prepared::Planned(steps) => return super::print_stdout(&crate::render::plan::table(&steps)),
            Prepared::Created(one_off) => one_off,
        };
        let (id, name) = (&one_off.id, &one_off.name);
        let me = ContainerRef::new(id, name);
        if args.detach {
            engine.start_container(me).await?;
            println!("{name}");
            return Ok(ExitCode::SUCCESS);
        }
        let attached = engine.attach_container(me).await?;
        let _raw = req.tty.then(RawMode::enable);
        engine.start_container(me).await?;
        forward_stdin(attached.input);
        // The attach stream may stay open after the container exits (its stdin
        // side is still ours): the exit decides, then the output gets a moment
        // to drain.
        let pump = tokio::spawn(pump_output(attached.output));
        // Asked after the start: "not-running" is then the exit, even when
        // the command has already finished. A lost engine is an error, never
        // an exit code.
        let code = crate::engine::wait::exit_code(&engine, id, name).await?;
        if tokio::time::timeout(std::time::Duration::from_secs(2), pump).await.is_err() {
            tracing::debug!("output stream still open after exit; closing it");
        }
        drop(_raw);
        if args.rm {
            engine.remove_container(me, true).await?;
        }
        Ok(crate::container_exit(code))
    })
}
