//! Value forms that compose accepts in more than one spelling: command
//! strings or lists, list-or-mapping environments, Go-style durations, byte
//! sizes. Each type parses every accepted spelling and serializes in the one
//! canonical form `docker compose config` prints.
//!
//! Owns: parsing and printing of these small value types, one file per
//! noun: `text` (scalars as text, commands, string lists), `maps`
//! (list-or-mapping forms, sorted printing), `duration`, `size`,
//! `mode`. No I/O, and no knowledge of which field uses which form.

/// A `JsonSchema` impl with a fixed schema, for forms whose spellings a
/// derive cannot describe. Defined before the submodules so they can use it.
macro_rules! plain_schema {
    ($ty:ty, $name:literal, $schema:tt) => {
        impl schemars::JsonSchema for $ty {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                $name.into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!($schema)
            }
        }
    };
}

mod duration;
mod maps;
mod mode;
mod size;
mod text;

pub use duration::Duration;
pub use maps::{env_map, host_list, sorted_map, string_map, ListOrDict};
pub use mode::FileMode;
pub use size::ByteSize;
pub use text::{text_lists, text_vec, Command, ScalarText, StringList};

/// For `skip_serializing_if`: compose prints these flags only when true
/// (`omitempty` on a plain bool in docker compose v2).
#[allow(clippy::ref_option)]
pub fn unset_or_false(flag: &Option<bool>) -> bool {
    !flag.unwrap_or(false)
}
