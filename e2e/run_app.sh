#!/usr/bin/env bash
# Build, run and probe one example app (or --all) in the dhard sandbox.
#   e2e/run_app.sh e2e/apps/python-flask [--dockerfile FILE] [--read-only] [--json]
#   e2e/run_app.sh --all
# A thin wrapper around e2e/harness.py (see its docstring and e2e/NOTES.md).
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec python3 "$HERE/harness.py" "$@"
