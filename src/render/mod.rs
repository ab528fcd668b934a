//! Rendering for people and programs: `config` output and schema, `ps` and `stats` rows
//! and the docker CLI's `--format` templates.
//!
//! Owns: the canonical JSON/YAML shape of a project (with `x-` extensions
//! spliced back in), image names, and the JSON Schema text. No I/O.

pub mod graph;
pub mod plan;
pub mod ps;
pub mod stats;
pub mod template;
mod yaml;

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
    let mut v = config_value_with(project, false);
    json_shape(&mut v);
    v
}

/// Where docker compose v2's JSON differs from its YAML: structures Go's
/// JSON writer prints even when unset, as their zero value (a watch rule's
/// `exec` is `{"command": null}`), and the top-level `models`, which only
/// the YAML shows.
fn json_shape(v: &mut Value) {
    if let Value::Object(root) = v {
        root.remove("models");
    }
    let Some(Value::Object(services)) = v.get_mut("services") else { return };
    for svc in services.values_mut() {
        let Some(Value::Array(rules)) = svc.pointer_mut("/develop/watch") else { continue };
        for rule in rules.iter_mut().filter_map(Value::as_object_mut) {
            rule.entry("exec").or_insert_with(|| serde_json::json!({"command": null}));
        }
    }
}

/// `nested_extensions`: YAML keeps `x-` fields inside services and
/// resources; JSON keeps only the top-level ones (docker compose's behaviour).
fn config_value_with(project: &Project, nested_extensions: bool) -> Value {
    let mut v = serde_json::to_value(project).expect("model serializes");
    if let Value::Object(root) = &mut v {
        for (path, ext) in &project.extensions {
            let target = if path.is_empty() {
                Some(&mut *root)
            } else if !nested_extensions {
                None
            } else {
                let (section, name) = path.split_once('.').unwrap_or((path, ""));
                root.get_mut(section).and_then(Value::as_object_mut).and_then(|s| s.get_mut(name)).and_then(Value::as_object_mut)
            };
            if let Some(obj) = target {
                for (k, val) in ext {
                    let mut val = val.clone();
                    sort_all_keys(&mut val);
                    obj.insert(k.clone(), val);
                }
            }
        }
        sort_maps(root);
    }
    escape_dollars(&mut v);
    v
}

/// Extension values are free-form maps; Go prints every map sorted.
fn sort_all_keys(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.sort_keys();
            m.values_mut().for_each(sort_all_keys);
        }
        Value::Array(items) => items.iter_mut().for_each(sort_all_keys),
        _ => {}
    }
}

/// Literal `$` is printed as `$$`, so that the output loads back unchanged.
fn escape_dollars(v: &mut Value) {
    match v {
        Value::String(s) if s.contains('$') => *s = s.replace('$', "$$"),
        Value::Array(items) => items.iter_mut().for_each(escape_dollars),
        Value::Object(m) => m.values_mut().for_each(escape_dollars),
        _ => {}
    }
}

/// Sorts the keys of name-keyed maps (services, volumes, ...) like Go does.
fn sort_maps(root: &mut Map<String, Value>) {
    root.sort_keys();
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

/// YAML as docker compose prints it: top-level in model order, and no
/// null `command`/`entrypoint` (which JSON shows).
pub fn config_yaml(project: &Project) -> String {
    let mut v = config_value_with(project, true);
    if let Value::Object(root) = &mut v {
        let order = ["name", "services", "networks", "volumes", "secrets", "configs", "models"];
        let mut ordered = Map::new();
        for k in order {
            if let Some(val) = root.remove(k) {
                ordered.insert(k.to_string(), val);
            }
        }
        let mut rest = std::mem::take(root);
        rest.sort_keys();
        ordered.extend(rest);
        if let Some(Value::Object(services)) = ordered.get_mut("services") {
            for svc in services.values_mut() {
                if let Value::Object(m) = svc {
                    m.retain(|k, v| !(matches!(k.as_str(), "command" | "entrypoint") && v.is_null()));
                    if let Some(Value::Object(deploy)) = m.get_mut("deploy") {
                        deploy.retain(|_, v| v.as_object().is_none_or(|o| !o.is_empty()));
                    }
                }
            }
        }
        // Go's YAML writer leaves out empty structs that JSON shows as `{}`.
        if let Some(Value::Object(nets)) = ordered.get_mut("networks") {
            for net in nets.values_mut() {
                if let Value::Object(m) = net {
                    m.retain(|k, v| !(k == "ipam" && v.as_object().is_some_and(serde_json::Map::is_empty)));
                }
            }
        }
        *root = ordered;
    }
    yaml::to_yaml(&v)
}

/// The JSON Schema of the files rcompose accepts, generated from the model.
/// Every closed object also admits `x-` extension keys.
pub fn schema_json() -> String {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<Project>();
    let mut value = schema.to_value();
    if let Value::Object(root) = &mut value {
        root.insert("$id".into(), Value::String("https://rcompose.dev/schema/compose.schema.json".into()));
        root.insert("title".into(), Value::String("Compose file accepted by rcompose".into()));
        if let Some(Value::Object(props)) = root.get_mut("properties") {
            props.insert(
                "include".into(),
                serde_json::json!({
                    "type": "array",
                    "items": {"oneOf": [
                        {"type": "string"},
                        {"type": "object", "properties": {
                            "path": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
                            "project_directory": {"type": "string"},
                            "env_file": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
                        }, "required": ["path"], "additionalProperties": false}
                    ]}
                }),
            );
        }
    }
    allow_extensions(&mut value);
    let mut text = serde_json::to_string_pretty(&value).expect("schema serializes");
    text.push('\n');
    text
}

fn allow_extensions(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if m.get("additionalProperties") == Some(&Value::Bool(false)) {
                m.insert("patternProperties".into(), serde_json::json!({"^x-": {}}));
            }
            for child in m.values_mut() {
                allow_extensions(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(allow_extensions),
        _ => {}
    }
}
