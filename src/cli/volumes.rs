//! `rcompose volumes`: the project's volumes with driver, mountpoint, size
//! (where the engine reports it) and the containers that use them.

use std::collections::BTreeMap;
use std::process::ExitCode;

use super::{connect, GlobalArgs};
use crate::reconcile::observe::observe;
use crate::Error;

#[derive(clap::Args, Debug, Default)]
pub struct VolumesArgs {
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    pub format: super::ps::Format,
    /// Only display volume names
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(serde::Serialize, Default)]
struct Row {
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "Driver")]
    driver: String,
    #[serde(rename = "Mountpoint")]
    mountpoint: String,
    /// Bytes; null when the engine does not say (or the volume is not created).
    #[serde(rename = "Size")]
    size: Option<u64>,
    #[serde(rename = "External")]
    external: bool,
    #[serde(rename = "UsedBy")]
    used_by: Vec<String>,
}

pub fn run(global: &GlobalArgs, args: &VolumesArgs) -> Result<ExitCode, Error> {
    let (project, _) = super::load_or_name_only(global)?;
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect(global).await?;
        let (observed, sizes) = futures::join!(observe(&engine, &project, &[]), crate::engine::df::volume_sizes(&engine.host));
        let observed = observed?;
        let mut users: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for c in &observed.containers {
            for (vol, _) in &c.volumes {
                let list = users.entry(vol.as_str()).or_default();
                if !list.contains(&c.name) {
                    list.push(c.name.clone());
                }
            }
        }
        let mut rows: Vec<Row> = Vec::new();
        for (key, vol) in &project.volumes {
            let name = vol.name().to_string();
            let found = observed.volumes.get(&name);
            rows.push(Row {
                used_by: users.get(name.as_str()).cloned().unwrap_or_default(),
                key: key.clone(),
                driver: found.map(|f| f.driver.clone()).unwrap_or_else(|| "(not created)".into()),
                mountpoint: found.map(|f| f.mountpoint.clone()).unwrap_or_default(),
                external: vol.external,
                size: None,
                name,
            });
        }
        // Volumes labelled for the project but not in the file, and anonymous ones in use.
        for (name, v) in &observed.volumes {
            if !rows.iter().any(|r| &r.name == name) {
                rows.push(Row {
                    name: name.clone(),
                    driver: v.driver.clone(),
                    mountpoint: v.mountpoint.clone(),
                    used_by: users.get(name.as_str()).cloned().unwrap_or_default(),
                    ..Row::default()
                });
            }
        }
        for (name, who) in &users {
            if !rows.iter().any(|r| r.name == *name) {
                rows.push(Row { name: name.to_string(), key: "(anonymous)".into(), driver: "local".into(), used_by: who.clone(), ..Row::default() });
            }
        }
        for row in &mut rows {
            row.size = sizes.get(&row.name).copied();
        }
        let out = if args.quiet {
            rows.iter().map(|r| format!("{}\n", r.name)).collect()
        } else if args.format == super::ps::Format::Json {
            format!("{}\n", serde_json::to_string(&rows).expect("json"))
        } else {
            let w = rows.iter().map(|r| r.name.len()).max().unwrap_or(4).max(4);
            let mut s = format!("{:w$}   {:8}   {:8}   {:>8}   USED BY\n", "NAME", "DRIVER", "EXTERNAL", "SIZE");
            for r in &rows {
                let size = r.size.map(crate::engine::df::human_size).unwrap_or_else(|| "-".into());
                s.push_str(&format!("{:w$}   {:8}   {:8}   {:>8}   {}\n", r.name, r.driver, if r.external { "yes" } else { "no" }, size, r.used_by.join(", ")));
            }
            s
        };
        super::print_stdout(&out)
    })
}
