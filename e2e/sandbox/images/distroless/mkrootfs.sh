#!/bin/sh
# mkrootfs.sh ROOT PKG...
# Copy every file that `dpkg -L` lists for the given (installed) Debian
# packages into ROOT, as distroless builds its images from .debs: no
# maintainer scripts, no dependencies beyond those named. ROOT gets the
# merged-usr layout first (bin, lib, lib64, sbin are links into usr), and
# /var/lib/dpkg/status.d/<pkg> records each package for scanners.
set -eu
root=$1; shift
mkdir -p "$root/usr/bin" "$root/usr/sbin" "$root/usr/lib" "$root/usr/lib64" "$root/var/lib/dpkg/status.d"
for d in bin sbin lib lib64; do
    [ -e "$root/$d" ] || [ -L "$root/$d" ] || ln -s "usr/$d" "$root/$d"
done
list=$(mktemp)
for p in "$@"; do
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        echo "mkrootfs: package $p is not installed in the build stage" >&2
        exit 1
    fi
    dpkg -L "$p" | grep '^/' >>"$list"
    dpkg-query -s "$p" >"$root/var/lib/dpkg/status.d/${p%%:*}"
done
# Skip the merged-usr top-level links (already in ROOT) and files the dpkg
# path filters of the slim image excluded (listed but not on disk).
sort -u "$list" | grep -v -x -E '/|/\.|/(bin|sbin|lib|lib32|lib64|libx32)' | while IFS= read -r f; do
    if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\n' "${f#/}"; fi
done >"$list.rel"
tar -C / --no-recursion -cf - -T "$list.rel" | tar -C "$root" --keep-directory-symlink -xpf -
rm -f "$list" "$list.rel"
