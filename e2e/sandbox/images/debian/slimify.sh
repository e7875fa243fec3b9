#!/bin/sh
# mmdebstrap --customize-hook for the debian:bookworm-slim stand-in ($1 = the
# root). mmdebstrap extracts the essential packages before the dpkg path
# filters of dpkg-slim.cfg apply, so remove what they exclude (as the official
# slim image's build does), then the apt/dpkg leftovers.
set -eu
root="$1"
for d in usr/share/locale usr/share/man usr/share/info usr/share/groff usr/share/lintian usr/share/linda; do
    [ -d "$root/$d" ] && find "$root/$d" -mindepth 1 -delete
done
if [ -d "$root/usr/share/doc" ]; then
    find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
    find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
fi
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/var/log/apt/* "$root"/var/log/dpkg.log "$root"/var/log/alternatives.log "$root"/var/log/bootstrap.log
# no hostname/resolv.conf of the build machine in the image
: >"$root/etc/hostname"
rm -f "$root/etc/resolv.conf"
