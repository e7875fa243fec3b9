"""analysis.node_requires: the packages a Node app loads, or 'cannot tell' with the reason."""

from __future__ import annotations

import pytest

from hardener.analysis.node_requires import Unknown, package_of, required_packages


@pytest.mark.parametrize("spec, package", [
    ("express", "express"), ("lodash/fp", "lodash"), ("@scope/name/sub", "@scope/name"),
    ("fs", None), ("node:path", None), ("./lib", None), ("../x", None), ("/abs", None),
])
def test_package_of(spec, package):
    assert package_of(spec) == package


def _app(tmp_path, files: dict[str, str]):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_follows_relative_files_through_require_and_import(tmp_path):
    root = _app(tmp_path, {
        "server.js": "const a = require('./lib');\nimport b from \"./util.mjs\";\n// require('commented-out')\n",
        "lib/index.js": "module.exports = require('express')\nconst fs = require('fs')\n",
        "util.mjs": "export * from 'ms';\nimport '@scope/pkg/register';\nconst later = await import('chalk');\n",
    })
    assert required_packages(root, root / "server.js") == {"express", "ms", "@scope/pkg", "chalk"}


@pytest.mark.parametrize("text, why", [
    ("const m = require(name);\n", "server.js:1 loads a module whose name is computed"),
    ("\nimport(`./${x}`);\n", "server.js:2 loads a module whose name is computed"),
    ("require('./missing');\n", "loads ./missing, which is not in the build context"),
    ("require('../../outside');\n", "outside the build context"),
])
def test_what_cannot_be_followed_says_why(tmp_path, text, why):
    root = _app(tmp_path, {"server.js": text})
    with pytest.raises(Unknown, match=why.replace("$", r"\$").replace("(", r"\(")):
        required_packages(root, root / "server.js")
