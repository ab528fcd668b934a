//! `rcompose config`: the resolved model, in docker compose's canonical shape.

use std::io::Write;
use std::process::ExitCode;

use crate::cli::GlobalArgs;
use crate::render;
use crate::{Error, ErrorKind};

#[derive(clap::Args, Debug)]
pub struct ConfigArgs {
    /// Output format
    #[arg(long, value_enum, default_value = "yaml")]
    pub format: Format,
    /// Only validate the configuration, print nothing
    #[arg(short, long)]
    pub quiet: bool,
    /// Print the service names, one per line
    #[arg(long)]
    pub services: bool,
    /// Print the volume names, one per line
    #[arg(long)]
    pub volumes: bool,
    /// Print the network names, one per line
    #[arg(long)]
    pub networks: bool,
    /// Print the profile names, one per line
    #[arg(long)]
    pub profiles: bool,
    /// Print the image names, one per line
    #[arg(long)]
    pub images: bool,
    /// Save to this file instead of printing
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

pub fn run(global: &GlobalArgs, args: &ConfigArgs) -> Result<ExitCode, Error> {
    let loaded = global.load()?;
    if args.quiet {
        return Ok(ExitCode::SUCCESS);
    }
    let project = &loaded.project;
    let text = if args.services {
        lines(project.services.keys())
    } else if args.volumes {
        lines(project.volumes.keys())
    } else if args.networks {
        lines(project.networks.keys())
    } else if args.profiles {
        let mut all: Vec<&String> = project.services.values().chain(project.disabled_services.values()).flat_map(|s| &s.profiles).collect();
        all.sort();
        all.dedup();
        lines(all)
    } else if args.images {
        lines(project.services.iter().map(|(name, s)| render::image_name(project, name, s)))
    } else {
        match args.format {
            Format::Json => render::config_json(project),
            Format::Yaml => render::config_yaml(project),
        }
    };
    match &args.output {
        Some(path) => std::fs::write(path, text).map_err(|e| Error::new(ErrorKind::System, miette::miette!("cannot write {}: {e}", path.display())))?,
        None => {
            let mut out = std::io::stdout().lock();
            if let Err(e) = out.write_all(text.as_bytes()) {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(Error::new(ErrorKind::System, miette::miette!("cannot write output: {e}")));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn lines<T: std::fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    items.into_iter().map(|i| format!("{i}\n")).collect()
}
