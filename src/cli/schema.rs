//! `rcompose schema`: the JSON Schema of accepted compose files.

use std::process::ExitCode;

use crate::{Error, ErrorKind};

#[derive(clap::Args, Debug)]
pub struct SchemaArgs {
    /// Write to this file instead of printing
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

pub fn run(args: &SchemaArgs) -> Result<ExitCode, Error> {
    let text = crate::render::schema_json();
    match &args.output {
        Some(path) => std::fs::write(path, text).map_err(|e| Error::new(ErrorKind::System, miette::miette!("cannot write {}: {e}", path.display())))?,
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}
