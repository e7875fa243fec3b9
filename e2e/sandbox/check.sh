#!/usr/bin/env bash
# Exit 0 when the dhard sandbox engine works (podman configured by
# e2e/sandbox/setup.sh can run the debian stand-in), non-zero otherwise, with
# the reason on stderr. Tests use it (or e2e.harness.engine_available()) to
# skip when there is no engine:
#   bash e2e/sandbox/check.sh && pytest ...
# With -q nothing is printed.
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/env.sh"
quiet=0; [ "${1:-}" = -q ] && quiet=1
say() { [ $quiet = 1 ] || echo "check.sh: $*" >&2; }
command -v podman >/dev/null 2>&1 || { say "podman is not installed (run e2e/sandbox/setup.sh)"; exit 2; }
[ -f "$CONTAINERS_CONF" ] && [ -f "$CONTAINERS_STORAGE_CONF" ] || { say "no sandbox config in $DHARD_SANDBOX_DIR (run e2e/sandbox/setup.sh)"; exit 3; }
if ! out=$(timeout 60 podman run --rm --pull=never --network=none docker.io/library/debian:bookworm-slim true 2>&1); then
    say "podman run failed: $out"
    exit 4
fi
say "ok (DHARD_SANDBOX_DIR=$DHARD_SANDBOX_DIR)"
