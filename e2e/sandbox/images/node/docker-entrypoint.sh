#!/bin/sh
# Entry point of the node:22 stand-in, with the official image's behaviour:
# prefix "node" when the first argument is an option or not a command.
set -e
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
    set -- node "$@"
fi
exec "$@"
