#!/bin/sh
# Stand-in for the official nginx image's entrypoint: when the command is nginx,
# run the scripts in /docker-entrypoint.d (the real image's fill templates with
# envsubst and add an IPv6 listen to an untouched default.conf), then exec it.
set -e
if [ "$1" = nginx ] || [ "$1" = nginx-debug ]; then
    for f in /docker-entrypoint.d/*.sh; do
        if [ -x "$f" ]; then "$f"; fi
    done
fi
exec "$@"
