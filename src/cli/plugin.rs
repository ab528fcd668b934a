//! Running as the docker CLI plugin (`docker compose …`).
//!
//! Owns: answering `docker-cli-plugin-metadata`, and turning the argv the
//! docker CLI hands a plugin — its own global flags as the user typed them,
//! then `compose`, then the compose command line, e.g.
//! `--context prod -l debug compose -p app up -d` — into rcompose's command
//! line plus the [`DockerFlags`] it found. Any other argv is left as it is,
//! so standalone `rcompose …` behaves exactly as before. Also owns the
//! plugin's end of the docker CLI's signal socket ([`watch_docker_cli`]). What the flags
//! mean (which engine, how much logging) is decided elsewhere
//! (`cli::docker_context`, `cli::main`).

use std::ffi::OsString;
use std::path::PathBuf;

/// The hidden subcommand the docker CLI runs to learn about a plugin.
pub const METADATA_SUBCOMMAND: &str = "docker-cli-plugin-metadata";

/// The docker CLI subcommand rcompose provides.
pub const PLUGIN_COMMAND: &str = "compose";

/// The docker CLI's global flags that it passes on to a plugin.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DockerFlags {
    /// `--config DIR`: the docker CLI's configuration folder.
    pub config: Option<PathBuf>,
    /// `-c`/`--context NAME`.
    pub context: Option<String>,
    /// `-H`/`--host ADDRESS` (the docker CLI accepts one).
    pub hosts: Vec<String>,
    /// `-l`/`--log-level LEVEL`.
    pub log_level: Option<String>,
    /// `-D`/`--debug`.
    pub debug: bool,
    /// `--tls`.
    pub tls: bool,
    /// `--tlsverify` (`Some(false)` when turned off explicitly).
    pub tls_verify: Option<bool>,
    /// `--tlscacert`, `--tlscert`, `--tlskey`.
    pub tls_ca: Option<PathBuf>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
}

impl DockerFlags {
    /// rcompose's `--verbose` count that `-D` or `--log-level` asks for.
    pub fn verbosity(&self) -> u8 {
        if self.debug {
            return 2;
        }
        match self.log_level.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("debug") => 2,
            Some("info") => 1,
            _ => 0,
        }
    }
}

/// What a command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Invocation {
    /// Print the plugin metadata and exit.
    Metadata,
    /// Run rcompose with `args` (program name first); `docker` is `Some`
    /// when the line had the plugin's shape (docker flags, then `compose`).
    Run { args: Vec<OsString>, docker: Option<DockerFlags> },
}

/// Reads a command line (program name first).
pub fn invocation(args: Vec<OsString>) -> Invocation {
    if args.get(1).is_some_and(|a| a == METADATA_SUBCOMMAND) {
        return Invocation::Metadata;
    }
    match docker_prefix(&args) {
        Some((docker, compose_at)) => {
            let mut rest = vec![args[0].clone()];
            rest.extend_from_slice(&args[compose_at + 1..]);
            Invocation::Run { args: rest, docker: Some(docker) }
        }
        None => Invocation::Run { args, docker: None },
    }
}

/// The plugin metadata the docker CLI reads (`docker info`, `docker --help`).
pub fn metadata_json() -> String {
    let meta = serde_json::json!({
        "SchemaVersion": "0.1.0",
        "Vendor": "rcompose",
        "Version": env!("CARGO_PKG_VERSION"),
        "ShortDescription": "Docker Compose, reimplemented in Rust",
    });
    format!("{meta:#}\n")
}

/// The variable naming the socket the docker CLI gives its plugin.
pub const SOCKET_VARIABLE: &str = "DOCKER_CLI_PLUGIN_SOCKET";

/// Connects to the docker CLI's plugin socket, when it offers one, and
/// sends this process SIGTERM when the CLI closes it. The CLI does that
/// when it is itself told to stop (SIGINT or SIGTERM) while its output is
/// not a terminal; on a terminal the signal reaches rcompose directly. Each
/// command then stops as it does on SIGTERM.
pub fn watch_docker_cli(env_value: Option<&str>) {
    use std::io::Read;
    let Some(mut stream) = env_value.and_then(connect_socket) else {
        tracing::debug!("no docker CLI socket to watch ({env_value:?})");
        return;
    };
    std::thread::spawn(move || {
        let mut buf = [0u8; 64];
        while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
        tracing::debug!("the docker CLI closed its socket: stopping");
        // SAFETY: kill(2) on this process's own id with a valid signal.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGTERM);
        }
    });
}

/// `@name` is an abstract socket (Linux); anything else a socket file.
fn connect_socket(value: &str) -> Option<std::os::unix::net::UnixStream> {
    #[cfg(target_os = "linux")]
    if let Some(name) = value.strip_prefix('@') {
        use std::os::linux::net::SocketAddrExt;
        let addr = std::os::unix::net::SocketAddr::from_abstract_name(name).ok()?;
        return std::os::unix::net::UnixStream::connect_addr(&addr).ok();
    }
    std::os::unix::net::UnixStream::connect(value).ok()
}

#[derive(Clone, Copy)]
enum Flag {
    Config,
    Context,
    Host,
    LogLevel,
    Debug,
    Tls,
    TlsVerify,
    TlsCa,
    TlsCert,
    TlsKey,
}

impl Flag {
    fn long(name: &str) -> Option<Flag> {
        Some(match name {
            "config" => Flag::Config,
            "context" => Flag::Context,
            "host" => Flag::Host,
            "log-level" => Flag::LogLevel,
            "debug" => Flag::Debug,
            "tls" => Flag::Tls,
            "tlsverify" => Flag::TlsVerify,
            "tlscacert" => Flag::TlsCa,
            "tlscert" => Flag::TlsCert,
            "tlskey" => Flag::TlsKey,
            _ => return None,
        })
    }

    fn short(letter: char) -> Option<Flag> {
        Some(match letter {
            'c' => Flag::Context,
            'H' => Flag::Host,
            'l' => Flag::LogLevel,
            'D' => Flag::Debug,
            _ => return None,
        })
    }

    fn is_switch(self) -> bool {
        matches!(self, Flag::Debug | Flag::Tls | Flag::TlsVerify)
    }

    /// Records the flag; false for a value a switch cannot take.
    fn apply(self, value: Option<String>, flags: &mut DockerFlags) -> bool {
        if self.is_switch() {
            let on = match value.as_deref() {
                None | Some("true" | "1") => true,
                Some("false" | "0") => false,
                Some(_) => return false,
            };
            match self {
                Flag::Debug => flags.debug = on,
                Flag::Tls => flags.tls = on,
                _ => flags.tls_verify = Some(on),
            }
            return true;
        }
        let Some(v) = value else { return false };
        match self {
            Flag::Config => flags.config = Some(v.into()),
            Flag::Context => flags.context = Some(v),
            Flag::Host => flags.hosts.push(v),
            Flag::LogLevel => flags.log_level = Some(v),
            Flag::TlsCa => flags.tls_ca = Some(v.into()),
            Flag::TlsCert => flags.tls_cert = Some(v.into()),
            Flag::TlsKey => flags.tls_key = Some(v.into()),
            Flag::Debug | Flag::Tls | Flag::TlsVerify => unreachable!("switches are handled above"),
        }
        true
    }
}

/// The docker flags before `compose`, and where `compose` is; `None` when
/// the line does not start with docker flags followed by `compose`.
fn docker_prefix(args: &[OsString]) -> Option<(DockerFlags, usize)> {
    let mut flags = DockerFlags::default();
    let mut i = 1;
    loop {
        let arg = args.get(i)?.to_str()?;
        if arg == PLUGIN_COMMAND {
            return Some((flags, i));
        }
        let (flag, inline) = if let Some(long) = arg.strip_prefix("--") {
            let (name, value) = long.split_once('=').map_or((long, None), |(n, v)| (n, Some(v.to_string())));
            (Flag::long(name)?, value)
        } else {
            let mut letters = arg.strip_prefix('-')?.chars();
            let flag = Flag::short(letters.next()?)?;
            let rest = letters.as_str();
            let rest = rest.strip_prefix('=').unwrap_or(rest);
            (flag, (!rest.is_empty()).then(|| rest.to_string()))
        };
        let value = if inline.is_none() && !flag.is_switch() {
            i += 1;
            Some(args.get(i)?.to_str()?.to_string())
        } else {
            inline
        };
        if !flag.apply(value, &mut flags) {
            return None;
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<OsString> {
        std::iter::once("docker-compose").chain(line.split_whitespace()).map(OsString::from).collect()
    }

    fn run(line: &str) -> (Vec<OsString>, Option<DockerFlags>) {
        match invocation(argv(line)) {
            Invocation::Run { args, docker } => (args, docker),
            Invocation::Metadata => panic!("{line}: metadata"),
        }
    }

    #[test]
    fn the_metadata_subcommand_is_answered_only_as_the_first_argument() {
        assert_eq!(invocation(argv("docker-cli-plugin-metadata")), Invocation::Metadata);
        assert_eq!(run("ps docker-cli-plugin-metadata").1, None);
    }

    #[test]
    fn the_metadata_has_the_fields_the_docker_cli_requires() {
        let meta: serde_json::Value = serde_json::from_str(&metadata_json()).unwrap();
        assert_eq!(meta["SchemaVersion"], "0.1.0");
        assert!(!meta["Vendor"].as_str().unwrap().is_empty());
        assert_eq!(meta["Version"], env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn a_plain_compose_prefix_is_dropped() {
        let (args, docker) = run("compose -p app up -d");
        assert_eq!(args, argv("-p app up -d"));
        assert_eq!(docker, Some(DockerFlags::default()));
    }

    #[test]
    fn standalone_command_lines_are_left_alone() {
        for line in ["ps", "-p app ps", "--verbose ps", "-D ps", "--context x ps", "-f compose.yaml compose", ""] {
            assert_eq!(run(line), (argv(line), None), "{line}");
        }
    }

    #[test]
    fn docker_global_flags_in_every_spelling_are_read() {
        let (args, docker) = run("--context prod -H unix:///s --log-level=debug -D --config /cfg compose ps -a");
        assert_eq!(args, argv("ps -a"));
        let d = docker.unwrap();
        assert_eq!(d.context.as_deref(), Some("prod"));
        assert_eq!(d.hosts, vec!["unix:///s".to_string()]);
        assert_eq!(d.log_level.as_deref(), Some("debug"));
        assert!(d.debug);
        assert_eq!(d.config, Some(PathBuf::from("/cfg")));
        assert_eq!(run("-cprod compose ps").1.unwrap().context.as_deref(), Some("prod"));
        assert_eq!(run("-c=prod compose ps").1.unwrap().context.as_deref(), Some("prod"));
        assert_eq!(run("--host=tcp://h:1 compose ps").1.unwrap().hosts, vec!["tcp://h:1".to_string()]);
        assert_eq!(run("-l info compose ps").1.unwrap().verbosity(), 1);
    }

    #[test]
    fn tls_flags_are_read() {
        let d = run("--tls --tlsverify=false --tlscacert /a/ca.pem --tlscert /a/c.pem --tlskey=/a/k.pem compose ps").1.unwrap();
        assert!(d.tls);
        assert_eq!(d.tls_verify, Some(false));
        assert_eq!(d.tls_ca, Some(PathBuf::from("/a/ca.pem")));
        assert_eq!(d.tls_cert, Some(PathBuf::from("/a/c.pem")));
        assert_eq!(d.tls_key, Some(PathBuf::from("/a/k.pem")));
    }

    #[test]
    fn a_malformed_prefix_is_not_taken_for_the_plugin_form() {
        for line in ["--context", "--context prod", "--nope compose ps", "--tls=maybe compose ps", "-X compose ps"] {
            assert_eq!(run(line).1, None, "{line}");
        }
    }

    #[test]
    fn log_levels_map_to_verbosity() {
        let level = |l: &str| DockerFlags { log_level: Some(l.into()), ..DockerFlags::default() }.verbosity();
        assert_eq!((level("debug"), level("INFO"), level("warn"), level("error")), (2, 1, 0, 0));
        assert_eq!(DockerFlags { debug: true, ..DockerFlags::default() }.verbosity(), 2);
    }
}
