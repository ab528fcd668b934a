//! Loading: compose files on disk to a validated [`Project`].
//!
//! Owns the pipeline text → YAML tree (with spans) → interpolation →
//! short-to-long syntax → `include` → `extends` within each file → merge
//! of `-f` files → empty fields dropped → typed model → defaults and paths → semantic checks. Every problem found
//! on the way is collected with its span; nothing here prints.

pub mod checks;
pub mod de;
pub mod dotenv;
pub mod empty;
pub mod env;
pub mod extends;
pub mod files;
pub mod include;
pub mod interpolate;
pub mod merge;
pub mod mounts;
pub mod node;
pub mod paths;
pub mod ports;
pub mod shorthand;
pub mod source;
pub mod to_model;
pub mod unique;
pub mod validate;
pub mod yaml;

use std::path::{Path, PathBuf};

use crate::diag::{Problem, Problems};
use crate::model::Project;
use env::Vars;
use node::Node;
use source::SourceMap;

/// What the user asked for, after flags and environment are read.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// `-f` files (or COMPOSE_FILE); empty means the default lookup.
    pub files: Vec<PathBuf>,
    pub project_directory: Option<PathBuf>,
    /// `-p` (or COMPOSE_PROJECT_NAME).
    pub project_name: Option<String>,
    /// `--env-file`; empty means `.env` in the project directory.
    pub env_files: Vec<PathBuf>,
    /// `--profile` (or COMPOSE_PROFILES).
    pub profiles: Vec<String>,
    /// The directory the command runs in.
    pub cwd: PathBuf,
    /// The process environment.
    pub environ: Vars,
}

/// A loaded project with everything needed to explain it.
#[derive(Debug)]
pub struct Loaded {
    pub project: Project,
    pub sources: SourceMap,
    /// The merged document, for locating model values in diagnostics.
    pub document: Node,
    pub warnings: Vec<Problem>,
}

/// Loading failed; `problems` point into `sources`.
#[derive(Debug)]
pub struct LoadFailure {
    pub problems: Problems,
    pub sources: SourceMap,
}

/// Shared state of one load: sources read, variables, problems.
pub struct Session {
    pub sources: SourceMap,
    pub problems: Problems,
    pub vars: Vars,
    pub process_env: Vars,
    pub unset: Vec<String>,
    pub home: Option<PathBuf>,
    /// Diagnostics name files relative to this directory.
    pub cwd: PathBuf,
}

impl Session {
    /// Reads one file with the current variables.
    pub fn read(&mut self, path: &Path) -> Option<Node> {
        files::read_document(path, &self.cwd, &mut self.sources, &self.vars, &mut self.problems, &mut self.unset)
    }

    /// Adds one file to the documents merged so far: its own `extends` are
    /// resolved first (a file extends only services it can see, as in
    /// docker compose v2), then it is merged over the others, and merge
    /// tags left over are dropped, and lists made unique.
    pub fn add_file(&mut self, merged: &mut Option<Node>, mut doc: Node) {
        extends::apply(&mut doc, self);
        let next = match merged.take() {
            None => doc,
            Some(mut base) => {
                merge::merge_documents(&mut base, doc);
                base
            }
        };
        let mut next = merge::strip(next);
        unique::enforce(&mut next);
        *merged = Some(next);
    }

    /// Reads a file named by `extends.file`.
    pub fn read_other_file(&mut self, path: &Path) -> Option<Node> {
        extends::load_relative(self, path)
    }
}

/// Variables that configure compose itself, read from the shell or `.env`.
pub fn setting<'a>(vars: &'a Vars, name: &str) -> Option<&'a str> {
    vars.get(name).map(String::as_str).filter(|v| !v.is_empty())
}

/// Runs the whole loading pipeline.
pub fn load(opts: &LoadOptions) -> Result<Loaded, LoadFailure> {
    let home = opts.environ.get("HOME").map(PathBuf::from);
    let mut session = Session {
        sources: SourceMap::new(),
        problems: Problems::default(),
        vars: Vars::new(),
        process_env: opts.environ.clone(),
        unset: Vec::new(),
        home,
        cwd: opts.cwd.clone(),
    };
    let fail = |session: Session| LoadFailure { problems: session.problems, sources: session.sources };

    // The env file lives in the project directory: `--project-directory`,
    // else the folder of the first `-f` file (as docker compose v2 reads
    // it), else the working directory, where it may say which files to use.
    let env_dir = match (&opts.project_directory, opts.files.first()) {
        (Some(d), _) => paths::absolutize(&opts.cwd, &d.to_string_lossy(), None),
        (None, Some(first)) => {
            let file = paths::absolutize(&opts.cwd, &first.to_string_lossy(), None);
            file.parent().map_or_else(|| opts.cwd.clone(), Path::to_path_buf)
        }
        (None, None) => opts.cwd.clone(),
    };
    let dotenv = match read_dotenv(opts, &env_dir) {
        Ok(v) => v,
        Err(p) => {
            session.problems.push(p);
            return Err(fail(session));
        }
    };
    session.vars = env::interpolation_vars(&opts.environ, dotenv);

    let files = match resolve_files(opts, &session.vars, &env_dir) {
        Ok(f) => f,
        Err(p) => {
            session.problems.push(p);
            return Err(fail(session));
        }
    };
    let working_dir = match &opts.project_directory {
        Some(_) => env_dir.clone(),
        None => files[0].parent().map(Path::to_path_buf).unwrap_or_else(|| opts.cwd.clone()),
    };

    let mut merged: Option<Node> = None;
    for path in &files {
        let Some(mut doc) = session.read(path) else { continue };
        let file_dir = path.parent().unwrap_or(Path::new("/")).to_path_buf();
        include::apply(&mut doc, &file_dir, &mut session, 0);
        paths::resolve_document(&mut doc, &working_dir, session.home.as_deref());
        session.add_file(&mut merged, doc);
    }
    let Some(mut document) = merged else { return Err(fail(session)) };
    empty::drop_empty_fields(&mut document);
    if !session.problems.is_empty() {
        return Err(fail(session));
    }

    let ctx = to_model::Context {
        working_dir: working_dir.clone(),
        config_files: files.clone(),
        project_name: opts.project_name.clone().or_else(|| setting(&session.vars, "COMPOSE_PROJECT_NAME").map(str::to_string)),
        profiles: if opts.profiles.is_empty() {
            setting(&session.vars, "COMPOSE_PROFILES")
                .map(|p| p.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
                .unwrap_or_default()
        } else {
            opts.profiles.clone()
        },
        vars: session.vars.clone(),
    };
    let mut warnings = Vec::new();
    let Some(project) = to_model::convert(&document, &ctx, &mut session.problems, &mut warnings) else {
        return Err(fail(session));
    };
    validate::check(&project, &document, &mut session.problems);
    checks::check(&project, &document, &mut session.problems);
    let mut project = project;
    to_model::drop_unused_resources(&mut project);
    to_model::scale_into_deploy(&mut project);
    if !session.problems.is_empty() {
        return Err(fail(session));
    }
    for name in &session.unset {
        warnings.push(
            Problem::new("rcompose::unset_variable", format!("the \"{name}\" variable is not set; defaulting to a blank string"))
                .help(format!("set {name} in the environment or in .env, or give a default with ${{{name}:-value}}")),
        );
    }
    Ok(Loaded { project, sources: session.sources, document, warnings })
}

fn read_dotenv(opts: &LoadOptions, env_dir: &Path) -> Result<Option<Vars>, Problem> {
    if opts.env_files.is_empty() {
        return env::read_env_file(&env_dir.join(".env"), env::Format::Dotenv, &opts.environ);
    }
    let mut all = Vars::new();
    for f in &opts.env_files {
        let path = paths::absolutize(&opts.cwd, &f.to_string_lossy(), None);
        match env::read_env_file(&path, env::Format::Dotenv, &opts.environ)? {
            Some(v) => all.extend(v),
            None => {
                return Err(Problem::new("rcompose::env_file", format!("env file {} not found", path.display())).help("check the path given with --env-file"))
            }
        }
    }
    Ok(Some(all))
}

fn resolve_files(opts: &LoadOptions, vars: &Vars, env_dir: &Path) -> Result<Vec<PathBuf>, Problem> {
    let given: Vec<PathBuf> = if !opts.files.is_empty() {
        opts.files.clone()
    } else if let Some(list) = setting(vars, "COMPOSE_FILE") {
        let sep = setting(vars, "COMPOSE_PATH_SEPARATOR").unwrap_or(":");
        list.split(sep).filter(|s| !s.is_empty()).map(PathBuf::from).collect()
    } else {
        Vec::new()
    };
    if given.is_empty() {
        return files::find_default(env_dir);
    }
    Ok(given.iter().map(|f| paths::absolutize(&opts.cwd, &f.to_string_lossy(), None)).collect())
}
