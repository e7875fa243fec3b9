"""A plain WSGI app served by gunicorn from a virtualenv."""
import sys


def app(environ, start_response):
    if environ.get("PATH_INFO", "/") == "/venv":
        body = f"prefix={sys.prefix} base_prefix={sys.base_prefix}\n".encode()
    else:
        body = b"hello from python-venv\n"
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"),
                              ("Content-Length", str(len(body)))])
    return [body]
