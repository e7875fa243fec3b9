import os

from flask import Flask
from markupsafe import _speedups  # the compiled extension: it must load in the image that runs

app = Flask(__name__)


@app.get("/")
def index():
    escaped = _speedups.escape("<compiled>")
    return f"hello from python-alpine {escaped}\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8000")))
