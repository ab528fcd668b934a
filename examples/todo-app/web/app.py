"""A tiny todo list over HTTP, stored in PostgreSQL.

GET  /todos        -> JSON list of todos
POST /todos        -> add one; body {"title": "..."} (JSON) or title=... (form)
DELETE /todos/<id> -> remove one
GET  /             -> an HTML page with the list and a form
"""
import html
import json
import os
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import psycopg2

DSN = os.environ.get("DATABASE_URL", "postgresql://todo:todo@db:5432/todo")


def connect():
    for attempt in range(60):
        try:
            conn = psycopg2.connect(DSN)
            conn.autocommit = True
            return conn
        except psycopg2.OperationalError as e:
            print(f"waiting for the database ({e.__class__.__name__})", flush=True)
            time.sleep(1)
    sys.exit("database never became reachable")


CONN = connect()
with CONN.cursor() as cur:
    cur.execute("CREATE TABLE IF NOT EXISTS todos (id serial PRIMARY KEY, title text NOT NULL, created timestamptz DEFAULT now())")


def todos():
    with CONN.cursor() as cur:
        cur.execute("SELECT id, title FROM todos ORDER BY id")
        return [{"id": i, "title": t} for i, t in cur.fetchall()]


class Handler(BaseHTTPRequestHandler):
    def send(self, code, body, kind="application/json"):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = urlparse(self.path).path
        if path == "/todos":
            return self.send(200, json.dumps(todos()))
        if path == "/":
            items = "".join(f"<li>{html.escape(t['title'])}</li>" for t in todos())
            page = (
                "<!doctype html><title>Todos</title><h1>Todos</h1>"
                f"<ul>{items}</ul>"
                '<form method="post" action="/todos"><input name="title"><button>Add</button></form>'
            )
            return self.send(200, page, "text/html; charset=utf-8")
        if path == "/health":
            return self.send(200, '{"ok": true}')
        self.send(404, '{"error": "not found"}')

    def do_POST(self):
        if urlparse(self.path).path != "/todos":
            return self.send(404, '{"error": "not found"}')
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if self.headers.get("Content-Type", "").startswith("application/json"):
            title = (json.loads(raw or "{}").get("title") or "").strip()
        else:
            title = (parse_qs(raw).get("title") or [""])[0].strip()
        if not title:
            return self.send(400, '{"error": "title is required"}')
        with CONN.cursor() as cur:
            cur.execute("INSERT INTO todos (title) VALUES (%s) RETURNING id", (title,))
            new_id = cur.fetchone()[0]
        if self.headers.get("Content-Type", "").startswith("application/json"):
            return self.send(201, json.dumps({"id": new_id, "title": title}))
        self.send_response(303)
        self.send_header("Location", "/")
        self.end_headers()

    def do_DELETE(self):
        parts = urlparse(self.path).path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "todos" and parts[1].isdigit():
            with CONN.cursor() as cur:
                cur.execute("DELETE FROM todos WHERE id = %s", (int(parts[1]),))
            return self.send(204, "")
        self.send(404, '{"error": "not found"}')

    def log_message(self, fmt, *args):
        print(f"{self.address_string()} {fmt % args}", flush=True)


signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
print("todo app listening on :8080", flush=True)
ThreadingHTTPServer(("0.0.0.0", 8080), Handler).serve_forever()
