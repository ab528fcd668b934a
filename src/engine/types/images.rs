//! Images: what an inspect says, registry credentials, pull and build
//! requests and their progress, and splitting a reference's tag.

use std::collections::HashMap;

/// What an inspect of a local image says, as far as rcompose reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageDetails {
    pub id: String,
    /// Bytes.
    pub size: Option<i64>,
    /// When it was last pulled or tagged here, as the engine writes it
    /// (RFC 3339).
    pub last_tag_time: Option<String>,
}

/// Registry credentials handed to the engine for a pull. Never printed:
/// `Debug` shows only the server.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    pub username: Option<String>,
    pub password: Option<String>,
    pub identity_token: Option<String>,
    pub server: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("server", &self.server).finish_non_exhaustive()
    }
}

/// One step of an image pull as the engine reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PullProgress {
    /// A layer's state (`Downloading`, `Pull complete` ...), with the bytes
    /// done and in all when the engine says.
    Layer { id: String, status: String, current: Option<i64>, total: Option<i64> },
    /// The pull failed: the registry's or the engine's message.
    Failed(String),
}

/// An image to build with the engine's classic builder.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuildSpec {
    /// The reference to tag the result with.
    pub tag: String,
    /// Path of the Dockerfile inside the context.
    pub dockerfile: String,
    pub no_cache: bool,
    /// Always look for newer base images.
    pub pull: bool,
    pub args: HashMap<String, String>,
    pub labels: HashMap<String, String>,
    pub target: Option<String>,
    pub cache_from: Vec<String>,
    pub network: Option<String>,
    /// Bytes.
    pub shm_size: Option<u64>,
    /// `host:ip` pairs.
    pub extra_hosts: Vec<String>,
}

/// One step of a build as the engine reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildProgress {
    /// Builder output: one or more lines.
    Output(String),
    /// The id of the image built.
    Built(String),
    /// The build failed: the builder's message.
    Failed(String),
}

/// `repo[:tag]` split, where a `:` inside a registry host:port is not a tag
/// (`latest` when there is none).
pub fn split_tag(reference: &str) -> (&str, &str) {
    match reference.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo, tag),
        _ => (reference, "latest"),
    }
}

/// An image to make from a container (`commit`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommitSpec {
    /// `repo[:tag]` to give the image (the tag defaults to `latest`);
    /// none leaves it untagged.
    pub reference: Option<String>,
    pub author: Option<String>,
    /// The commit message (the image's comment).
    pub message: Option<String>,
    /// Dockerfile instructions applied to the image's config (`ENV A=b`).
    pub changes: Vec<String>,
    /// Pause the container while its file system is copied.
    pub pause: bool,
}
