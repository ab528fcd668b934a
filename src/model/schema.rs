//! JSON Schema pieces for values that accept several spellings.
//!
//! The model holds long forms only; the file format also takes short forms.
//! These functions describe what a user may write, for `rcompose schema`.

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};

/// `KEY=VALUE` list or a mapping of scalars.
pub fn list_or_dict(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "oneOf": [
            {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean", "null"]}},
            {"type": "array", "items": {"type": "string"}, "uniqueItems": true}
        ]
    })
}

/// `provider.options`: a mapping to scalars or lists of scalars.
pub fn provider_options(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "additionalProperties": {"oneOf": [
            {"type": ["string", "number", "boolean"]},
            {"type": "array", "items": {"type": ["string", "number", "boolean"]}}
        ]}
    })
}

/// A list of names, or a mapping from name to `T` (or null).
pub fn names_or_map<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    let item = g.subschema_for::<T>();
    json_schema!({
        "oneOf": [
            {"type": "array", "items": {"type": "string"}, "uniqueItems": true},
            {"type": "object", "additionalProperties": {"oneOf": [item, {"type": "null"}]}}
        ]
    })
}

/// A list whose items are a short string (or number) or the long form `T`.
pub fn short_or_long_list<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    let item = g.subschema_for::<T>();
    json_schema!({"type": "array", "items": {"oneOf": [{"type": ["string", "number"]}, item]}})
}

/// A string or the long form `T`.
pub fn string_or<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    let item = g.subschema_for::<T>();
    json_schema!({"oneOf": [{"type": "string"}, item]})
}

/// `env_file`: a path, or a list of paths or `{path, required, format}`.
pub fn env_files(g: &mut SchemaGenerator) -> Schema {
    let item = g.subschema_for::<super::service::EnvFile>();
    json_schema!({"oneOf": [{"type": "string"}, {"type": "array", "items": {"oneOf": [{"type": "string"}, item]}}]})
}

/// `extra_hosts`: `host:ip` list or a mapping from host to address(es).
pub fn extra_hosts(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "object", "additionalProperties": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}}
        ]
    })
}

/// `ulimits`: a number, or `{soft, hard}`.
pub fn ulimits(g: &mut SchemaGenerator) -> Schema {
    let item = g.subschema_for::<super::service::Ulimit>();
    json_schema!({"type": "object", "additionalProperties": {"oneOf": [{"type": ["integer", "string"]}, item]}})
}

/// `gpus`: `all`, or a list of device requests.
pub fn gpus(g: &mut SchemaGenerator) -> Schema {
    let item = g.subschema_for::<super::service::DeviceRequest>();
    json_schema!({"oneOf": [{"const": "all"}, {"type": "array", "items": item}]})
}

/// `healthcheck.test`: a shell string or `[CMD|CMD-SHELL|NONE, ...]`.
pub fn string_or_list(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]})
}

/// Scalars written as text (`expose: [80, "443"]`).
pub fn scalar_list(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "array", "items": {"type": ["string", "number"]}})
}

/// Booleans also accepted as strings (after interpolation).
pub fn number_or_string(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": ["number", "string"]})
}

/// A mapping from name to `T`, where an empty entry (`name:`) means defaults.
pub fn nullable_map<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    let item = g.subschema_for::<T>();
    json_schema!({"type": "object", "additionalProperties": {"oneOf": [item, {"type": "null"}]}})
}
