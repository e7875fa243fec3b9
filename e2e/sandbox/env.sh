# Source this file to point podman/buildah at the dhard sandbox:
#   . e2e/sandbox/env.sh
# It only sets environment variables; e2e/sandbox/setup.sh writes the files
# they name. Nothing system-wide is changed.
DHARD_SANDBOX_DIR="${DHARD_SANDBOX_DIR:-/var/tmp/dhard-sandbox}"
CONTAINERS_CONF="$DHARD_SANDBOX_DIR/containers.conf"
CONTAINERS_STORAGE_CONF="$DHARD_SANDBOX_DIR/storage.conf"
export DHARD_SANDBOX_DIR CONTAINERS_CONF CONTAINERS_STORAGE_CONF
