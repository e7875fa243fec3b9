"""Keeps its notes in a SQLite file next to its code, created at start (stdlib only)."""

import os
import sqlite3
from http.server import BaseHTTPRequestHandler, HTTPServer

db = sqlite3.connect("notes.db")
db.execute("CREATE TABLE IF NOT EXISTS notes (text TEXT)")
db.execute("INSERT INTO notes VALUES ('started')")
db.commit()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        count = db.execute("SELECT count(*) FROM notes").fetchone()[0]
        body = f"hello from python-writes-next-to-code: {count} note(s)\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)


HTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8000"))), Handler).serve_forever()
