//! Waiting for a container to stop, and reading its exit code from the
//! engine's answer. No answer is an error, never an exit code: a connection
//! that breaks while we wait must not pass for a container that exited 0.

use futures::{Stream, StreamExt};

use super::{ContainerRef, Engine, EngineError};

/// Waits until container `name` (id `id`) is not running, and returns the
/// exit code the engine reports. Nothing is asked before this is awaited.
pub async fn exit_code(engine: &dyn Engine, id: &str, name: &str) -> Result<i64, EngineError> {
    engine.wait_exit(ContainerRef::new(id, name)).await
}

/// The exit code in the first item of a wait stream. bollard reports a
/// non-zero exit as an error that carries the code; any other error, or a
/// stream that ends without an answer, means the engine was lost.
pub(super) async fn read_exit<S>(stream: S, name: &str) -> Result<i64, EngineError>
where
    S: Stream<Item = Result<bollard::models::ContainerWaitResponse, bollard::errors::Error>>,
{
    let action = format!("wait for container {name}");
    match std::pin::pin!(stream).next().await {
        Some(Ok(answer)) => Ok(answer.status_code),
        Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => Ok(code),
        // The engine answered, with an error (no such container, ...).
        Some(Err(e @ bollard::errors::Error::DockerResponseServerError { .. })) => Err(EngineError::from_bollard(action, e)),
        // A broken connection, or a body cut short: no answer came.
        Some(Err(e)) => Err(EngineError::Lost { action, reason: e.to_string() }),
        None => Err(EngineError::Lost { action, reason: "the engine closed the connection without an exit code".into() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::errors::Error as B;
    use bollard::models::ContainerWaitResponse;

    fn read(items: Vec<Result<ContainerWaitResponse, B>>) -> Result<i64, EngineError> {
        futures::executor::block_on(read_exit(futures::stream::iter(items), "app-web-1"))
    }

    #[test]
    fn the_exit_code_is_the_engines_answer() {
        assert_eq!(read(vec![Ok(ContainerWaitResponse { status_code: 0, error: None })]).unwrap(), 0);
        assert_eq!(read(vec![Err(B::DockerContainerWaitError { error: String::new(), code: 255 })]).unwrap(), 255);
    }

    #[test]
    fn no_answer_is_a_lost_engine_not_success() {
        let ended = read(vec![]).unwrap_err();
        assert!(ended.is_unanswered(), "{ended}");
        assert!(ended.to_string().starts_with("lost the connection to the Docker engine during `wait for container app-web-1`"), "{ended}");
        let io = std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed before message completed");
        let broken = read(vec![Err(B::IOError { err: io })]).unwrap_err();
        assert!(broken.is_unanswered() && broken.to_string().contains("connection closed"), "{broken}");
        let cut = read(vec![Err(B::RequestTimeoutError)]).unwrap_err();
        assert!(cut.is_unanswered(), "{cut}");
    }

    #[test]
    fn an_engine_error_is_a_refusal() {
        let gone = read(vec![Err(B::DockerResponseServerError { status_code: 404, message: "No such container".into() })]).unwrap_err();
        assert!(gone.is_not_found(), "{gone}");
    }
}
