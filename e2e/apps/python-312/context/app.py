import os
import sys

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    version = "%d.%d" % sys.version_info[:2]
    return f"hello from python-312 on Python {version}\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8000")))
