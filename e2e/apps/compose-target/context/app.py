import os

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "hello from compose-target\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


@app.get("/healthz")
def healthz():
    return {"status": "ok", "uid": os.getuid()}


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8000")))
