"""`dhard harden` on a Python app with a 10,000-file build context, next to peer-like references.

    python bench/harden_bench.py [--files 10000] [--repeat 3] [--install wheel|editable]

A Python app is generated in a temporary folder: a Dockerfile that copies the
whole context (``COPY . .``), ``requirements.txt``, ``app.py`` and packages of
small modules until the context holds ``--files`` files. ``dhard harden`` (the
diff, nothing written) must read the context: which files ship, what the app
imports and where it writes at run time. It is timed next to:

- ``tar`` of the same context (what ``docker build`` does first: send the
  context), written to a file so that tar really reads every file;
- ``dhard check`` of the same Dockerfile (DH101's USER fix reads the same sources).

Target: within a second or two, that is at most 2 s for ``dhard harden``
(whole process, median of ``--repeat`` runs); the ratios to the references
are printed beside it.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from installed import add_install_argument, child_env, dhard_command  # noqa: E402

TARGET_S = 2.0
DOCKERFILE = """FROM python:3.13-slim
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
CMD ["python", "app.py"]
"""


def make_app(root: Path, files: int) -> Path:
    """The build context: Dockerfile, requirements.txt, app.py and packages of small modules (``files`` in all)."""
    root.mkdir(parents=True)
    (root / "Dockerfile").write_text(DOCKERFILE)
    (root / "requirements.txt").write_text("flask==3.0.3\n")
    (root / "app.py").write_text(
        "from flask import Flask\n\nimport pkg000.mod000\n\napp = Flask(__name__)\n\n\n"
        "@app.get('/')\ndef index():\n    return str(pkg000.mod000.VALUE)\n\n\n"
        "if __name__ == '__main__':\n    app.run(host='0.0.0.0', port=8000)\n")
    left = files - 3
    package = 0
    while left > 0:
        folder = root / f"pkg{package:03d}"
        folder.mkdir()
        (folder / "__init__.py").write_text("")
        left -= 1
        for m in range(min(99, left)):
            (folder / f"mod{m:03d}.py").write_text(
                f'"""Module {m} of package {package}."""\n\nVALUE = {m}\n\n\ndef value() -> int:\n    return VALUE + 1\n')
            left -= 1
        package += 1
    return root / "Dockerfile"


def timed(argv: list[str], repeat: int, cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    samples, last = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        last = subprocess.run(argv, capture_output=True, text=True, cwd=cwd, env=child_env(), check=False)
        samples.append(time.perf_counter() - start)
    assert last is not None
    return statistics.median(samples), last


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    add_install_argument(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        dhard, how = dhard_command(args.install, tmp_path)
        print(f"measured: {how}")
        dockerfile = make_app(tmp_path / "app", args.files)
        context = dockerfile.parent
        count = sum(1 for p in context.rglob("*") if p.is_file())
        harden, done = timed([*dhard, "harden", str(dockerfile)], args.repeat, tmp_path)
        if done.returncode != 0 or "+FROM " not in done.stdout:
            print(f"warning: dhard harden did not rewrite the file (exit {done.returncode}): {done.stderr.strip()}")
        check, _ = timed([*dhard, "check", "--exit-zero", str(dockerfile)], args.repeat, tmp_path)
        tar = shutil.which("tar")
        archive = tmp_path / "context.tar"
        tar_time = timed([tar, "-cf", str(archive), "-C", str(context), "."], args.repeat, tmp_path)[0] if tar else None
        print(f"build context: {count} files")
        print(f"{'dhard harden':<24} {harden:7.2f} s")
        print(f"{'dhard check (same file)':<24} {check:7.2f} s   harden / check = {harden / check:5.1f}x")
        if tar_time:
            print(f"{'tar of the context':<24} {tar_time:7.2f} s   harden / tar   = {harden / tar_time:5.1f}x")
        print(f"target: dhard harden within a second or two (<= {TARGET_S:.0f} s): {'met' if harden <= TARGET_S else 'NOT met'}")


if __name__ == "__main__":
    main()
