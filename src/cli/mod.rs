//! The command line: flags as docker compose spells them, and dispatch.
//!
//! Owns: clap definitions (which only validate), turning global flags and
//! environment variables into [`LoadOptions`], logging set-up, and calling
//! one command module per subcommand.

pub mod attach;
pub mod backup;
pub mod build;
pub mod commit;
pub mod config;
pub mod cp;
pub mod docker_context;
pub mod down;
pub mod exec;
pub mod export;
pub mod follow;
pub mod images;
pub mod inspect;
pub mod lifecycle;
pub mod logs;
pub mod ls;
pub mod plan;
pub mod plugin;
pub mod ps;
pub mod pull;
pub mod run;
pub mod scale;
pub mod schema;
pub mod stats;
pub mod stdio;
pub mod up;
pub mod version;
pub mod volume;
pub mod volumes;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::load::{self, LoadOptions, Loaded};
use crate::{Error, ErrorKind};

#[derive(Parser, Debug)]
#[command(name = "rcompose", version, about = "Define and run multi-container applications (compose-compatible)")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Args, Debug, Clone, Default)]
pub struct GlobalArgs {
    /// Compose configuration files (repeatable; default: compose.yaml and its override)
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Project name (default: `name:` in the file, else the directory name)
    #[arg(short = 'p', long = "project-name", value_name = "NAME")]
    pub project_name: Option<String>,
    /// Alternate working directory (default: the first file's directory)
    #[arg(long = "project-directory", value_name = "DIR")]
    pub project_directory: Option<PathBuf>,
    /// Alternate environment files (default: .env in the project directory)
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_files: Vec<PathBuf>,
    /// Profiles to enable (repeatable)
    #[arg(id = "profile", long = "profile", value_name = "PROFILE")]
    pub profiles: Vec<String>,
    /// More logging (--verbose info, twice debug, three times trace); RUST_LOG overrides
    #[arg(long = "verbose", action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// How to show progress
    #[arg(long, value_enum, default_value = "auto")]
    pub progress: crate::progress::Mode,
    /// Show what `up` or `down` would do, and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// The docker CLI's global flags, when run as its plugin (`docker
    /// --context X compose …`); not rcompose flags.
    #[arg(skip)]
    pub docker: plugin::DockerFlags,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Parse, resolve and render the compose file in canonical format
    #[command(after_help = "Examples:\n  rcompose config\n  rcompose config --format json\n  rcompose -f compose.yaml -f compose.prod.yaml config --services")]
    Config(config::ConfigArgs),
    /// Print the JSON Schema of the compose files rcompose accepts
    Schema(schema::SchemaArgs),
    /// Build or rebuild services' images
    #[command(after_help = "Examples:\n  rcompose build\n  rcompose build --no-cache --build-arg VERSION=1.2 web")]
    Build(build::BuildArgs),
    /// Pull service images
    #[command(after_help = "Examples:\n  rcompose pull\n  rcompose pull --ignore-pull-failures db cache")]
    Pull(pull::PullArgs),
    /// List images used by the project's containers
    Images(images::ImagesArgs),
    /// Create and start containers
    #[command(
        after_help = "Examples:\n  rcompose up -d\n  rcompose up -d --wait --wait-timeout 120\n  rcompose up --build --exit-code-from tests\n  rcompose up -d --scale worker=3 --remove-orphans"
    )]
    Up(up::UpArgs),
    /// Create containers without starting them
    Create(up::UpArgs),
    /// Scale services: create or remove replicas to match
    #[command(after_help = "Examples:\n  rcompose scale worker=3\n  rcompose scale --no-deps worker=2 web=1")]
    Scale(scale::ScaleArgs),
    /// Stop and remove containers and networks (and volumes with -v)
    #[command(after_help = "Examples:\n  rcompose down\n  rcompose down -v --remove-orphans -t 5\n  rcompose -p ci-1234 down -v")]
    Down(down::DownArgs),
    /// List the project's containers
    #[command(after_help = "Examples:\n  rcompose ps\n  rcompose ps -a --format json\n  rcompose ps --status exited -q")]
    Ps(ps::PsArgs),
    /// List compose projects
    Ls(ls::LsArgs),
    /// View output from containers
    #[command(after_help = "Examples:\n  rcompose logs -f\n  rcompose logs --tail 50 --timestamps db\n  rcompose logs --no-log-prefix web > web.log")]
    Logs(logs::LogsArgs),
    /// Execute a command in a running container
    #[command(after_help = "Examples:\n  rcompose exec db psql -U app\n  rcompose exec -T db pg_isready\n  rcompose exec -e DEBUG=1 -w /app web sh")]
    Exec(exec::ExecArgs),
    /// Run a one-off command on a service
    #[command(after_help = "Examples:\n  rcompose run --rm tests\n  rcompose run --rm -T -e CI=1 tests pytest -x\n  rcompose run --rm --no-deps migrate")]
    Run(run::RunArgs),
    /// Show what `up` would do and why, without doing it
    #[command(after_help = "Examples:\n  rcompose plan\n  rcompose plan --format json --force-recreate web")]
    Plan(plan::PlanArgs),
    /// Print the service dependency graph
    Graph(GraphArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    Completion { shell: clap_complete::Shell },
    /// Start existing containers
    Start(lifecycle::ServicesArgs),
    /// Stop running containers without removing them
    Stop(lifecycle::StopArgs),
    /// Restart containers
    Restart(lifecycle::StopArgs),
    /// Force stop containers
    Kill(lifecycle::KillArgs),
    /// Remove stopped containers
    Rm(lifecycle::RmArgs),
    /// Pause containers
    Pause(lifecycle::ServicesArgs),
    /// Unpause containers
    Unpause(lifecycle::ServicesArgs),
    /// Block until containers stop; exit with the first one's exit code
    Wait(lifecycle::ServicesArgs),
    /// Print the public address of a container port
    Port(lifecycle::PortArgs),
    /// Display the running processes
    Top(lifecycle::ServicesArgs),
    /// Stream the engine's events for the project
    Events(inspect::EventsArgs),
    /// Copy files between a service container and the local filesystem
    #[command(after_help = "Examples:\n  rcompose cp ./seed.sql db:/tmp/\n  rcompose cp web:/var/log/app.log ./app.log")]
    Cp(cp::CpArgs),
    /// Attach local standard input, output, and error streams to a service's running container
    #[command(after_help = "Examples:\n  rcompose attach web\n  rcompose attach --no-stdin --index 2 worker")]
    Attach(attach::AttachArgs),
    /// Display a live stream of container(s) resource usage statistics
    #[command(
        after_help = "Examples:\n  rcompose stats\n  rcompose stats --no-stream --format json\n  rcompose stats -a --format 'table {{.Name}}\\t{{.MemUsage}}' db"
    )]
    Stats(stats::StatsArgs),
    /// Export a service container's file system as a tar archive
    #[command(after_help = "Examples:\n  rcompose export web -o web.tar\n  rcompose export --index 2 worker | tar t")]
    Export(export::ExportArgs),
    /// Create a new image from a service container's changes
    #[command(after_help = "Examples:\n  rcompose commit web myapp/web:debug\n  rcompose commit -c 'ENV DEBUG=1' -m 'with fixtures' db")]
    Commit(commit::CommitArgs),
    /// List the project's volumes and the containers that use them
    Volumes(volumes::VolumesArgs),
    /// Export, import or clone a volume's content
    #[command(subcommand)]
    Volume(volume::VolumeCommand),
    /// Back up the project's named volumes into one archive (`backup ls|verify FILE` to check one)
    #[command(
        after_help = "Examples:\n  rcompose backup -o db.tar.zst\n  rcompose backup --pause db\n  rcompose backup ls db.tar.zst\n  rcompose backup verify db.tar.zst"
    )]
    Backup(backup::BackupArgs),
    /// Restore the volumes of a backup into the project (or another one, with -p)
    #[command(after_help = "Examples:\n  rcompose restore db.tar.zst\n  rcompose -p staging-copy restore db.tar.zst\n  rcompose restore --force db.tar.zst")]
    Restore(backup::RestoreArgs),
    /// Show version information
    #[command(after_help = "Examples:\n  rcompose version --short\n  rcompose version --format json")]
    Version(version::VersionArgs),
}

#[derive(clap::Args, Debug)]
pub struct GraphArgs {
    /// Output format
    #[arg(long, value_enum, default_value = "dot")]
    pub format: GraphFormat,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

impl GlobalArgs {
    /// Flags plus COMPOSE_* environment variables, as loader options.
    pub fn load_options(&self) -> Result<LoadOptions, Error> {
        let cwd = std::env::current_dir().map_err(|e| Error::new(ErrorKind::System, miette::miette!("cannot read the current directory: {e}")))?;
        let environ = std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))).collect();
        Ok(LoadOptions {
            files: self.files.clone(),
            project_directory: self.project_directory.clone(),
            project_name: self.project_name.clone(),
            env_files: self.env_files.clone(),
            profiles: self.profiles.iter().flat_map(|p| p.split(',')).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
            cwd,
            environ,
        })
    }

    /// Loads the project and reports loader warnings (unset variables, the
    /// obsolete `version`) through the `--progress` reporter: lines on a
    /// terminal or in plain mode, JSON objects with `--progress json`,
    /// nothing with `--progress quiet`.
    pub fn load(&self) -> Result<Loaded, Error> {
        let loaded = load::load(&self.load_options()?)?;
        if !loaded.warnings.is_empty() {
            report_warnings(&loaded, crate::progress::reporter(self.progress).as_ref());
        }
        Ok(loaded)
    }
}

/// Sends each loader warning, with its file, line and column, to `reporter`.
pub fn report_warnings(loaded: &Loaded, reporter: &dyn crate::progress::Reporter) {
    for w in &loaded.warnings {
        let d = crate::diag::SourceDiagnostic::new(w.clone(), &loaded.sources);
        reporter.warning(&d.to_string());
    }
}

/// A runtime for commands that talk to the engine.
pub fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::new(ErrorKind::System, miette::miette!("cannot start the async runtime: {e}")))
}

/// Connects to the engine the docker CLI would use: `--host`, the docker
/// context, DOCKER_HOST (default: the local socket); see [`docker_context`].
pub async fn connect(global: &GlobalArgs) -> Result<crate::engine::Docker, Error> {
    let env: std::collections::HashMap<String, String> = std::env::vars().collect();
    let endpoint = docker_context::resolve(&global.docker, &env)?;
    Ok(crate::engine::Docker::connect_to(&endpoint, &env).await?)
}

/// Loads the project; when there is no compose file but `-p` names a
/// project, returns a name-only project (`true`) so label-based commands work.
pub fn load_or_name_only(global: &GlobalArgs) -> Result<(crate::model::Project, bool), Error> {
    match global.load() {
        Ok(l) => Ok((l.project, false)),
        Err(Error::Input { problems, sources }) => {
            let no_file = problems.0.len() == 1 && problems.0[0].code == "rcompose::no_compose_file";
            let name = global.project_name.clone().or_else(|| std::env::var("COMPOSE_PROJECT_NAME").ok().filter(|n| !n.is_empty()));
            match (no_file, name) {
                (true, Some(n)) => Ok((down::name_only(&n), true)),
                _ => Err(Error::Input { problems, sources }),
            }
        }
        Err(e) => Err(e),
    }
}

/// Prints to stdout; a closed pipe is not an error.
pub fn print_stdout(text: &str) -> Result<ExitCode, Error> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(Error::new(ErrorKind::System, miette::miette!("cannot write output: {e}"))),
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .without_time()
        .try_init();
}

/// Runs one command line.
pub fn main<I: IntoIterator<Item = OsString>>(args: I) -> Result<ExitCode, Error> {
    let (args, docker) = match plugin::invocation(args.into_iter().collect()) {
        plugin::Invocation::Metadata => return print_stdout(&plugin::metadata_json()),
        plugin::Invocation::Run { args, docker } => (args, docker),
    };
    let mut command = <Cli as clap::CommandFactory>::command();
    if docker.is_some() {
        // Help and usage errors name the command the user typed.
        command = command.bin_name("docker compose");
    }
    let parsed = command.try_get_matches_from(args).and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m));
    let mut cli = match parsed {
        Ok(c) => c,
        Err(e) => {
            // No command at all shows the help and succeeds, as in docker compose v2.
            let help = e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand;
            if e.use_stderr() && !help {
                return Err(Error::Usage(e));
            }
            // --help, --version, or no command
            let _ = e.print();
            return Ok(ExitCode::SUCCESS);
        }
    };
    let plugin_mode = docker.is_some();
    cli.global.docker = docker.unwrap_or_default();
    if let Some(dir) = &cli.global.docker.config {
        // As `docker --config DIR` means: every reader of the docker config
        // (contexts, registry credentials, credential helpers) uses DIR. No
        // other thread runs yet.
        std::env::set_var("DOCKER_CONFIG", dir);
    }
    init_logging(cli.global.verbose.max(cli.global.docker.verbosity()));
    if std::env::var_os(crate::compose::backup::guard::GUARD_ENV).is_some() {
        return backup::guard(&cli.global);
    }
    if plugin_mode {
        plugin::watch_docker_cli(std::env::var(plugin::SOCKET_VARIABLE).ok().as_deref());
    }
    match &cli.command {
        Command::Config(args) => config::run(&cli.global, args),
        Command::Schema(args) => schema::run(args),
        Command::Build(args) => build::run(&cli.global, args),
        Command::Pull(args) => pull::run(&cli.global, args),
        Command::Images(args) => images::run(&cli.global, args),
        Command::Up(args) => up::run(&cli.global, args),
        Command::Create(args) => up::create(&cli.global, args),
        Command::Scale(args) => scale::run(&cli.global, args),
        Command::Down(args) => down::run(&cli.global, args),
        Command::Ps(args) => ps::run(&cli.global, args),
        Command::Ls(args) => ls::run(&cli.global, args),
        Command::Logs(args) => logs::run(&cli.global, args),
        Command::Exec(args) => exec::run(&cli.global, args),
        Command::Run(a) => run::run(&cli.global, a),
        Command::Plan(a) => plan::run(&cli.global, a),
        Command::Graph(a) => {
            let project = cli.global.load()?.project;
            let text = match a.format {
                GraphFormat::Dot => crate::render::graph::dot(&project),
                GraphFormat::Mermaid => crate::render::graph::mermaid(&project),
            };
            print_stdout(&text)
        }
        Command::Completion { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut cmd, "rcompose", &mut out);
            print_stdout(&String::from_utf8_lossy(&out))
        }
        Command::Start(a) => lifecycle::run(&cli.global, &lifecycle::Action::Start, &a.services),
        Command::Stop(a) => lifecycle::run(&cli.global, &lifecycle::Action::Stop(a.timeout), &a.services),
        Command::Restart(a) => lifecycle::run(&cli.global, &lifecycle::Action::Restart(a.timeout), &a.services),
        Command::Kill(a) => lifecycle::run(&cli.global, &lifecycle::Action::Kill(a.signal.clone()), &a.services),
        Command::Rm(a) => lifecycle::run(&cli.global, &lifecycle::Action::Rm { stop: a.stop, volumes: a.volumes }, &a.services),
        Command::Pause(a) => lifecycle::run(&cli.global, &lifecycle::Action::Pause, &a.services),
        Command::Unpause(a) => lifecycle::run(&cli.global, &lifecycle::Action::Unpause, &a.services),
        Command::Wait(a) => lifecycle::wait(&cli.global, &a.services),
        Command::Port(a) => lifecycle::port(&cli.global, a),
        Command::Top(a) => inspect::top(&cli.global, &a.services),
        Command::Events(a) => inspect::events(&cli.global, a),
        Command::Cp(a) => cp::run(&cli.global, a),
        Command::Attach(a) => attach::run(&cli.global, a),
        Command::Stats(a) => stats::run(&cli.global, a),
        Command::Export(a) => export::run(&cli.global, a),
        Command::Commit(a) => commit::run(&cli.global, a),
        Command::Volumes(a) => volumes::run(&cli.global, a),
        Command::Volume(c) => volume::run(&cli.global, c),
        Command::Backup(a) => backup::run(&cli.global, a),
        Command::Restore(a) => backup::restore(&cli.global, a),
        Command::Version(a) => version::run(a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
