//! Making the engine match the model: observe, plan, execute.
//!
//! - `observe` is the only place that reads engine state for a project;
//! - `hash` fingerprints a service's runtime configuration;
//! - `plan` compares desired and observed state and decides, purely;
//! - `spec` maps a service onto a container-create request;
//! - `steps` is what a changing command will do, with reasons, for dry runs;
//! - `execute` carries out a plan with bounded parallelism, in dependency
//!   order, reporting progress as events. It makes no decisions; `resources`
//!   makes networks and volumes, `create` one container, `recovery` repairs
//!   what an interrupted run left, `conditions` and `ready` wait;
//! - `teardown` carries out a `down` plan (`plan_down` decides it).
//!
//! Every engine request goes through the [`Engine`](crate::engine::Engine)
//! trait, so all of this runs against the in-memory engine in unit tests.

pub mod conditions;
mod create;
pub mod drift;
pub mod execute;
pub mod files;
pub mod hash;
pub mod observe;
pub mod plan;
pub mod plan_down;
pub mod ready;
mod recovery;
pub mod resources;
pub mod shared_mounts;
pub mod spec;
pub mod steps;
pub mod teardown;

#[cfg(test)]
mod fake_tests;
