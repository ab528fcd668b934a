//! The one integration test binary: loader fixtures, diagnostics as rendered
//! text, hostile input, the CLI, and (where an engine answers) end-to-end.

mod support;

mod cli;
mod corpus;
mod diagnostics;
mod differential;
mod e2e;
mod fuzz;
mod hostile;
mod loader;
mod parity;
mod parity_merge;
mod schema;
