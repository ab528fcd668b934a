//! The todo-app example end to end: todos added over HTTP survive `down` and
//! `up`, and `down -v` wipes them.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;

use super::{engine_ready, POSTGRES};

/// A minimal HTTP/1.1 exchange; returns (status, body).
fn http(port: u16, method: &str, path: &str, body: Option<&str>) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(5))).ok()?;
    let body = body.unwrap_or("");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).ok()?;
    let mut resp = String::new();
    s.read_to_string(&mut resp).ok()?;
    let status = resp.split_whitespace().nth(1)?.parse().ok()?;
    let body = resp.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Some((status, body))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct TodoApp {
    name: String,
    port: u16,
}

impl TodoApp {
    fn rc(&self, args: &[&str]) {
        let out = Command::new(env!("CARGO_BIN_EXE_rcompose"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("TODO_PORT", self.port.to_string())
            .args(["-f", "examples/todo-app/compose.yaml", "-p", &self.name, "--progress", "quiet"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "rcompose {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn todos(&self) -> Vec<String> {
        let ok = super::eventually(60, || http(self.port, "GET", "/todos", None).is_some_and(|(s, _)| s == 200));
        assert!(ok, "the todo app never answered");
        let (_, body) = http(self.port, "GET", "/todos", None).unwrap();
        let v: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
        v.iter().map(|t| t["title"].as_str().unwrap().to_string()).collect()
    }
}

impl Drop for TodoApp {
    fn drop(&mut self) {
        let _ = Command::new(env!("CARGO_BIN_EXE_rcompose"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("TODO_PORT", self.port.to_string())
            .args(["-f", "examples/todo-app/compose.yaml", "-p", &self.name, "--progress", "quiet", "down", "-v", "--rmi", "local", "-t", "2"])
            .output();
    }
}

#[test]
fn todos_survive_down_and_up_and_down_v_wipes_them() {
    if !engine_ready(&[POSTGRES, "rcompose-test/debian:bookworm"]) {
        return;
    }
    let app = TodoApp { name: format!("rct-todo-{}", std::process::id()), port: free_port() };
    app.rc(&["up", "-d"]);
    assert!(app.todos().is_empty());
    for title in ["buy milk", "write tests", "ship it"] {
        let (status, _) = http(app.port, "POST", "/todos", Some(&format!("{{\"title\": \"{title}\"}}"))).unwrap();
        assert_eq!(status, 201);
    }
    assert_eq!(app.todos(), vec!["buy milk", "write tests", "ship it"]);

    app.rc(&["down"]);
    assert!(http(app.port, "GET", "/todos", None).is_none(), "still answering after down");
    app.rc(&["up", "-d"]);
    assert_eq!(app.todos(), vec!["buy milk", "write tests", "ship it"], "todos lost across down/up");

    app.rc(&["down", "-v"]);
    app.rc(&["up", "-d"]);
    assert!(app.todos().is_empty(), "down -v kept the todos");
}
