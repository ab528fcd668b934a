//! Images services run: building them from `build:` sections and pulling
//! them from registries.
//!
//! Owns: turning a service's build section into an engine build (context
//! tar, Dockerfile, args, target, labels, cache sources, network, shm size,
//! extra hosts, tags) and streaming its progress to a reporter.

pub mod auth;
pub mod build;
pub mod pull;
