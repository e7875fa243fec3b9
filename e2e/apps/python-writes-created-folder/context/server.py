"""Writes a file into the uploads folder the image created, at start (stdlib only)."""

import os
from http.server import BaseHTTPRequestHandler, HTTPServer

UPLOADS = os.path.join(os.getcwd(), "uploads")
with open(os.path.join(UPLOADS, "boot.txt"), "w") as handle:
    handle.write("booted\n")


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        files = sorted(os.listdir(UPLOADS))
        body = f"hello from python-writes-created-folder: {','.join(files)}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)


HTTPServer(("0.0.0.0", 8000), Handler).serve_forever()
