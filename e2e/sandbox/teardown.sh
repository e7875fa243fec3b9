#!/usr/bin/env bash
# Remove a dhard sandbox: its containers, images and directory
# ($DHARD_SANDBOX_DIR, default /var/tmp/dhard-sandbox). The next setup.sh
# starts from scratch (about 6 minutes on 2 cores).
#
# containers/storage bind-mounts $DIR/storage/graph/overlay onto itself, so a
# plain `rm -rf` fails with "Device or resource busy": unmount it first.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/env.sh"
DIR="$DHARD_SANDBOX_DIR"
[ -e "$DIR" ] || { echo "teardown.sh: $DIR does not exist"; exit 0; }
if ! head -n 1 "$DIR/storage.conf" 2>/dev/null | grep -q 'Written by e2e/sandbox/setup.sh'; then
    echo "teardown.sh: $DIR does not look like a dhard sandbox (no storage.conf of setup.sh); not touching it" >&2
    exit 1
fi
exec 9>"$DIR/setup.lock"
flock -w 600 9 || { echo "teardown.sh: setup.sh is running on $DIR" >&2; exit 1; }
if command -v podman >/dev/null 2>&1; then
    podman rm -a -f -t 0 >/dev/null 2>&1 || true
fi
if mountpoint -q "$DIR/storage/graph/overlay" 2>/dev/null; then
    umount "$DIR/storage/graph/overlay"
fi
rm -rf "$DIR"
echo "teardown.sh: removed $DIR"
