//! Drives the `hello` example from Rust with no subprocess: up, wait, read
//! the published port, run a command in a service, down -v.
//!
//! Run it with `cargo run --example sdk` (a Docker engine and the test
//! images from `scripts/test-images.sh` are needed).

use std::time::Duration;

use rcompose::compose::UpRequest;
use rcompose::engine::Docker;
use rcompose::model::Project;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => rcompose::report_error(e),
    }
}

async fn run() -> Result<(), rcompose::Error> {
    let compose = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/hello/compose.yaml");
    let name = format!("sdk-example-{}", std::process::id());
    let engine = Docker::connect_from_env().await?;
    let stack = Project::load_as(compose, &name)?.up(&engine, UpRequest::default()).await?;
    let checked = check(&stack).await;
    // Down whatever happened, then report the first failure.
    stack.down(true).await?;
    checked
}

async fn check(stack: &rcompose::compose::Stack<'_>) -> Result<(), rcompose::Error> {
    stack.wait(Duration::from_secs(120)).await?;
    let port = stack.port("web", 8080).await?;
    println!("web: 8080 published on host port {}", port.map_or("(none)".to_string(), |p| p.to_string()));
    let hello = stack.exec("web", &["echo", "hello from", "web"]).await?;
    println!("exec in web: {:?} (exit {})", hello.stdout_text(), hello.exit_code);
    if hello.stdout_text() != "hello from web" || hello.exit_code != 0 || port.is_none() {
        return Err(rcompose::Error::new(rcompose::ErrorKind::Failed, miette::miette!("the stack did not behave as expected")));
    }
    Ok(())
}
