#!/bin/sh
# Typical entrypoint wrapper: defaults from the environment, then the command.
set -e
: "${GREETING:=hello from hardened-fallback}"
export GREETING
exec "$@"
