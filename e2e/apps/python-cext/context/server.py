"""HTTP server whose answer comes from the zcrc C extension (linked to libz.so.1)."""
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import zcrc


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/version":
            body = f"zlib {zcrc.zlib_version()}\n".encode()
        else:
            body = f"hello from python-cext crc32={zcrc.crc32(b'hello'):08x}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        print(f"{self.address_string()} {fmt % args}", flush=True)


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8000"))
    print(f"listening on 0.0.0.0:{port}", flush=True)
    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()
