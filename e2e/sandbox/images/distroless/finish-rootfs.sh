#!/bin/sh
# finish-rootfs.sh ROOT
# What every distroless-like image has besides its packages: users root,
# nobody and nonroot (65532), /tmp 1777, /home/nonroot, the CA bundle,
# nsswitch.conf, os-release and (when there is a libc) ld.so.cache.
set -eu
root=$1
cd "$root"
mkdir -p etc/ssl/certs tmp root home/nonroot var/lib/dpkg/status.d usr/share
chmod 1777 tmp
chmod 0700 root home/nonroot
chown 65532:65532 home/nonroot
printf '%s\n' \
    'root:x:0:0:root:/root:/sbin/nologin' \
    'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
    'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >etc/passwd
printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'tty:x:5:' 'staff:x:50:' 'nonroot:x:65532:' >etc/group
chmod 0644 etc/passwd etc/group
printf '%s\n' 'passwd: files' 'group: files' 'shadow: files' 'hosts: files dns' 'networks: files' \
    'protocols: files' 'services: files' 'ethers: files' 'rpc: files' >etc/nsswitch.conf
cp /etc/ssl/certs/ca-certificates.crt etc/ssl/certs/ca-certificates.crt
chmod 0644 etc/ssl/certs/ca-certificates.crt
. /etc/os-release
printf '%s\n' 'PRETTY_NAME="Distroless"' "NAME=\"$NAME\"" "ID=\"$ID\"" "VERSION_ID=\"$VERSION_ID\"" \
    "VERSION=\"$VERSION\"" 'VERSION_CODENAME=bookworm' >etc/os-release
if [ -e usr/lib/x86_64-linux-gnu/libc.so.6 ]; then
    [ -e etc/ld.so.conf ] || cp /etc/ld.so.conf etc/ld.so.conf
    ldconfig -r "$root"
fi
# nothing that runs a command may remain
for sh in bin/sh bin/bash bin/dash usr/bin/sh usr/bin/bash usr/bin/dash bin/busybox; do
    if [ -e "$sh" ] || [ -L "$sh" ]; then echo "finish-rootfs: $sh exists in $root" >&2; exit 1; fi
done
