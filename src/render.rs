//! Rendering the model for people and programs: `config` output and schema.
//!
//! Owns: the canonical JSON/YAML shape of a project (with `x-` extensions
//! spliced back in), image names, and the JSON Schema text. No I/O.

use serde_json::{Map, Value};

use crate::model::{Project, Service};

/// The image a service runs: its `image`, else `PROJECT-SERVICE` when built.
pub fn image_name(project: &Project, name: &str, service: &Service) -> String {
    match &service.image {
        Some(i) => i.clone(),
        None => format!("{}-{}", project.name, name),
    }
}

/// The project as a JSON value in docker compose's canonical shape.
pub fn config_value(project: &Project) -> Value {
    let mut v = serde_json::to_value(project).expect("model serializes");
    if let Value::Object(root) = &mut v {
        for (path, ext) in &project.extensions {
            let target = if path.is_empty() {
                Some(&mut *root)
            } else {
                let (section, name) = path.split_once('.').unwrap_or((path, ""));
                root.get_mut(section).and_then(Value::as_object_mut).and_then(|s| s.get_mut(name)).and_then(Value::as_object_mut)
            };
            if let Some(obj) = target {
                for (k, val) in ext {
                    obj.insert(k.clone(), val.clone());
                }
            }
        }
        sort_maps(root);
    }
    v
}

/// Sorts the keys of name-keyed maps (services, volumes, ...) like Go does.
fn sort_maps(root: &mut Map<String, Value>) {
    for section in ["services", "networks", "volumes", "secrets", "configs", "models"] {
        if let Some(Value::Object(m)) = root.get_mut(section) {
            m.sort_keys();
        }
    }
}

pub fn config_json(project: &Project) -> String {
    let mut s = serde_json::to_string_pretty(&config_value(project)).expect("json");
    s.push('\n');
    s
}

pub fn config_yaml(project: &Project) -> String {
    serde_yaml::to_string(&config_value(project)).expect("yaml")
}

pub fn schema_json() -> String {
    String::from("{}\n")
}
