"""The `dhard` the benchmarks run: a non-editable install of the working tree, as users have it.

A checkout installed with ``pip install -e`` starts every run by importing the
``__editable__`` finder that pip puts in site-packages (pathlib, importlib.util,
fnmatch, re and urllib.parse with it: about 12 ms here), which a user's
``pip install dhard`` does not have. ``installed()`` therefore builds a wheel of
the working tree (``pip wheel --no-deps`` on a copy of the sources, so nothing is
written into the checkout), installs it with pip into a new venv, and lets that
venv find the dependencies (ruamel.yaml, libcst, ...) in this venv's
site-packages through a ``.pth`` line, so nothing is downloaded but the build
backend. If no wheel can be built (offline, no setuptools >= 77 in pip's cache),
the package is copied into the venv the way a wheel installs it (files, byte
code, the console script pip writes), and the description says so.

``--install editable`` in the benchmarks measures this venv's own ``dhard``.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

SCRIPT = """#!{python}
import sys
from {module} import {function}
if __name__ == '__main__':
    sys.argv[0] = sys.argv[0].removesuffix('.exe')
    sys.exit({function}())
"""  # what pip writes for a console script


def _entry_point() -> tuple[str, str]:
    """(module, function) of the ``dhard`` console script in pyproject.toml."""
    import re

    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    found = re.search(r'^dhard\s*=\s*"([\w.]+):(\w+)"', text, re.M)
    if not found:
        raise SystemExit("pyproject.toml has no dhard console script")
    return found.group(1), found.group(2)


def child_env() -> dict[str, str]:
    """The environment the measured runs get: a user's (no PYTHONDONTWRITEBYTECODE, PYTHONUNBUFFERED, ...)."""
    env = dict(os.environ)
    for name in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PYTHONPATH", "PYTHONSTARTUP"):
        env.pop(name, None)
    return env


def editable() -> tuple[list[str], str]:
    if (BIN / "dhard").exists():
        import compileall

        # pip byte-compiles an installed package; an editable checkout would otherwise recompile every module per run
        compileall.compile_dir(str(ROOT / "hardener"), quiet=1)
        finder = any(p.name.startswith("__editable__") for p in Path(site.getsitepackages()[0]).glob("*.pth"))
        return [str(BIN / "dhard")], f"{BIN / 'dhard'} ({'editable install' if finder else 'this venv'})"
    return [sys.executable, "-m", "hardener"], f"{sys.executable} -m hardener (the checkout)"


def _copy_sources(dest: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "hardener", dest / "hardener", ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, dest / name)


def _build_wheel(src: Path, dist: Path) -> Path | None:
    try:
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(src)],
                       check=True, capture_output=True, timeout=600)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError):
        return None
    wheels = sorted(dist.glob("dhard-*.whl"))
    return wheels[0] if wheels else None


def _site_packages(venv: Path) -> Path:
    out = subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True).stdout.strip()
    return Path(out)


def installed(tmp: Path) -> tuple[list[str], str]:
    """(argv of the installed ``dhard``, what was measured)."""
    tmp = Path(tmp)
    src, dist, venv = tmp / "src", tmp / "dist", tmp / "venv"
    _copy_sources(src)
    base = getattr(sys, "_base_executable", None) or sys.executable
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True)
    purelib = _site_packages(venv)
    (purelib / "_dhard_bench_deps.pth").write_text(
        "".join(p + "\n" for p in site.getsitepackages() + [sysconfig.get_paths()["purelib"]]))
    wheel = _build_wheel(src, dist)
    how = None
    if wheel is not None:
        done = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
                               "--no-deps", "--no-index", "-q", str(wheel)], capture_output=True, check=False)
        if done.returncode == 0:
            how = f"wheel {wheel.name} installed by pip in a new venv (non-editable)"
    if how is None:
        shutil.copytree(src / "hardener", purelib / "hardener")
        script = venv / "bin" / "dhard"
        module, function = _entry_point()
        script.write_text(SCRIPT.format(python=venv / "bin" / "python", module=module, function=function))
        script.chmod(0o755)
        how = "package copied into a new venv as a wheel installs it (no wheel could be built; non-editable)"
    subprocess.run([str(venv / "bin" / "python"), "-m", "compileall", "-q", str(purelib / "hardener")],
                   check=True, capture_output=True, env=child_env())
    # a first check writes the byte-code bundle (hardener/cli/bundle.py), as the install wrote the .pyc files
    (tmp / "Dockerfile").write_text("FROM python:3.12-slim\nRUN pip install flask\nCMD python app.py\n")
    subprocess.run([str(venv / "bin" / "dhard"), "check", "--exit-zero", str(tmp / "Dockerfile")], check=True,
                   capture_output=True, cwd=tmp, env=child_env())
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import hardener; print(hardener.__file__)"],
                           capture_output=True, text=True, check=True, cwd=tmp, env=child_env()).stdout.strip()
    if not where.startswith(str(purelib)):
        raise SystemExit(f"the bench venv imports dhard from {where}, not from its own site-packages")
    return [str(venv / "bin" / "dhard")], how


def add_install_argument(parser) -> None:
    parser.add_argument("--install", choices=("wheel", "editable"), default="wheel",
                        help="measure a non-editable install of the working tree (default) or this venv's dhard")


def dhard_command(choice: str, tmp: Path) -> tuple[list[str], str]:
    return installed(Path(tmp) / "install") if choice == "wheel" else editable()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as directory:
        argv, how = installed(Path(directory))
        print(how)
        subprocess.run([*argv, "--version"], check=False)
