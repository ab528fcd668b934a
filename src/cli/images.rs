//! `rcompose images`: the images the project's containers use.

use std::process::ExitCode;

/// One row of the table: container, repository, tag, image id, size.
type ImageRow = (String, String, String, String, i64);

use super::{connect, GlobalArgs};
use crate::engine::Engine;
use crate::reconcile::observe::observe_containers;
use crate::Error;

#[derive(clap::Args, Debug, Default)]
pub struct ImagesArgs {
    /// Only display image ids
    #[arg(short, long)]
    pub quiet: bool,
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    pub format: super::ps::Format,
    /// Services (default: all)
    pub services: Vec<String>,
}

pub fn run(global: &GlobalArgs, args: &ImagesArgs) -> Result<ExitCode, Error> {
    let (project, _) = super::load_or_name_only(global)?;
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect(global).await?;
        let observed = observe_containers(&engine, &project).await?;
        let mut rows = Vec::new();
        for c in observed.containers.iter().filter(|c| args.services.is_empty() || args.services.contains(&c.labels.service)) {
            let info = engine.inspect_image(&c.image_id).await.ok().flatten();
            let size = info.and_then(|i| i.size).unwrap_or(0);
            let (repo, tag) = crate::images::build::split_tag(&c.image);
            let id = c.image_id.trim_start_matches("sha256:").chars().take(12).collect::<String>();
            rows.push((c.name.clone(), repo.to_string(), tag.to_string(), id, size));
        }
        let out = if args.quiet {
            let mut ids: Vec<&String> = rows.iter().map(|r| &r.3).collect();
            ids.dedup();
            ids.iter().map(|i| format!("{i}\n")).collect()
        } else if args.format == super::ps::Format::Json {
            let v: Vec<serde_json::Value> =
                rows.iter().map(|(c, r, t, i, s)| serde_json::json!({"ContainerName": c, "Repository": r, "Tag": t, "ID": i, "Size": s})).collect();
            format!("{}\n", serde_json::to_string(&v).expect("json"))
        } else {
            let w = |f: &dyn Fn(&ImageRow) -> usize, min: usize| rows.iter().map(f).max().unwrap_or(0).max(min);
            let (w0, w1, w2) = (w(&|r| r.0.len(), 9), w(&|r| r.1.len(), 10), w(&|r| r.2.len(), 3));
            let mut s = format!("{:w0$}   {:w1$}   {:w2$}   {:12}   SIZE\n", "CONTAINER", "REPOSITORY", "TAG", "IMAGE ID");
            for (c, r, t, i, size) in &rows {
                s.push_str(&format!("{c:w0$}   {r:w1$}   {t:w2$}   {i:12}   {:.1}MB\n", *size as f64 / 1e6));
            }
            s
        };
        super::print_stdout(&out)
    })
}
