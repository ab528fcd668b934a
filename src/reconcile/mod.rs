//! Making the engine match the model: observe, plan, execute.
//!
//! - `observe` is the only place that reads engine state for a project;
//! - `hash` fingerprints a service's runtime configuration;
//! - `plan` compares desired and observed state and decides, purely;
//! - `spec` maps a service onto a container-create request;
//! - `execute` carries out a plan with bounded parallelism, in dependency
//!   order, reporting progress as events. It makes no decisions;
//! - `teardown` carries out a `down` plan (`plan_down` decides it).

pub mod conditions;
pub mod execute;
pub mod files;
pub mod hash;
pub mod observe;
pub mod plan;
pub mod plan_down;
pub mod ready;
pub mod spec;
pub mod steps;
pub mod teardown;

#[cfg(test)]
mod fake_tests;
