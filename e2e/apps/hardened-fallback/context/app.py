"""An app that needs a shell and a Debian tool (jq) at run time.

GET / runs a shell pipeline through jq, so the image cannot be distroless:
only a same-family, non-root rewrite (dhard harden --level hardened) keeps it
working.
"""
import os
import subprocess
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PIPELINE = 'printf "%s" "$GREETING" | jq -R -c "{msg: ., tool: \\"jq\\"}"'


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        proc = subprocess.run(["sh", "-c", PIPELINE], capture_output=True, text=True, timeout=10)
        if proc.returncode == 0:
            status, body = 200, proc.stdout
        else:
            status, body = 500, f"pipeline failed ({proc.returncode}): {proc.stderr}"
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if status == 200 else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        print(f"{self.address_string()} {fmt % args}", flush=True)


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8000"))
    print(f"listening on 0.0.0.0:{port}", flush=True)
    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()
