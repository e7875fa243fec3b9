#!/bin/sh
# check-libs.sh ROOT FILE... [-- LIBRARY_PATH]
# Fail if the dynamic loader inside ROOT cannot resolve a library FILE needs.
# (/proc is not mounted in the chroot, so $ORIGIN RUNPATHs do not resolve:
# pass such directories after --, colon-separated.)
set -eu
root=$1; shift
files=""
lp=""
while [ $# -gt 0 ]; do
    if [ "$1" = -- ]; then lp=$2; break; fi
    files="$files $1"; shift
done
bad=0
for f in $files; do
    if [ -n "$lp" ]; then
        out=$(chroot "$root" /lib64/ld-linux-x86-64.so.2 --library-path "$lp" --list "$f" 2>&1) || true
    else
        out=$(chroot "$root" /lib64/ld-linux-x86-64.so.2 --list "$f" 2>&1) || true
    fi
    if echo "$out" | grep -q 'not found'; then
        echo "check-libs: $f: unresolved libraries in $root:" >&2
        echo "$out" | grep 'not found' >&2
        bad=1
    fi
done
exit $bad
