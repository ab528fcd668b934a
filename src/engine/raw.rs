//! One plain HTTP/1.0 GET to the engine, for the rare answer bollard does
//! not hand over whole: the `API-Version` header of `/_ping` (a far cheaper
//! handshake than `/version`, which asks containerd for its components), and
//! the shape of `/system/df` that older engines send. Unix sockets and plain
//! TCP only; callers fall back to bollard elsewhere (TLS).

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// An answer: status code, headers (names lower-cased) and body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// GETs `path` (with its query) from the engine at `host`.
pub async fn get(host: &str, path: &str) -> std::io::Result<Answer> {
    let request = format!("GET {path} HTTP/1.0\r\nHost: docker\r\nAccept: application/json\r\n\r\n");
    if let Some(socket) = host.strip_prefix("unix://") {
        exchange(tokio::net::UnixStream::connect(socket).await?, &request).await
    } else if let Some(addr) = host.strip_prefix("tcp://").or_else(|| host.strip_prefix("http://")) {
        exchange(tokio::net::TcpStream::connect(addr.trim_end_matches('/')).await?, &request).await
    } else {
        Err(std::io::Error::other(format!("no plain connection to {host}")))
    }
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, request: &str) -> std::io::Result<Answer> {
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    parse(answer)
}

fn parse(mut answer: Vec<u8>) -> std::io::Result<Answer> {
    let end = answer.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| std::io::Error::other("no end of the HTTP header"))?;
    let body = answer.split_off(end + 4);
    let head = String::from_utf8_lossy(&answer);
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).ok_or_else(|| std::io::Error::other("no HTTP status line"))?;
    let headers = lines.filter_map(|l| l.split_once(':')).map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string())).collect();
    Ok(Answer { status, headers, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_status_headers_and_body() {
        let a = parse(b"HTTP/1.0 200 OK\r\nApi-Version: 1.41\r\nContent-Type: text/plain\r\n\r\nOK".to_vec()).unwrap();
        assert_eq!((a.status, a.header("api-version"), a.body.as_slice()), (200, Some("1.41"), &b"OK"[..]));
    }

    #[test]
    fn refuses_an_answer_without_a_header_end() {
        assert!(parse(b"HTTP/1.0 200 OK\r\n".to_vec()).is_err());
    }
}
