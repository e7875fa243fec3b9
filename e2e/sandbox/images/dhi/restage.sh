#!/bin/sh
# restage.sh VARIANT ROOT
# Turn a copy of a distroless-like stand-in's root (ROOT) into the layout of a
# Docker Hardened Image (dhi.io/VARIANT): where the runtime lives, accounts
# and directories as the image's definition in the DHI catalog gives them.
# Sources of each fact: e2e/NOTES.md, "Chainguard and DHI stand-ins: where
# each fact comes from".
set -eu
variant=$1
root=$2
cd "$root"

account() { # account NAME UID GID
    printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
        "$1:x:$2:$3:$1:/home/$1:/sbin/nologin" >etc/passwd
    printf '%s\n' 'root:x:0:' 'nobody:x:65534:' "$1:x:$3:$1" >etc/group
    chmod 0644 etc/passwd etc/group
    if [ "$1" != nonroot ]; then rm -rf home/nonroot; mkdir -p "home/$1"; chmod 0700 "home/$1"; chown "$2:$3" "home/$1"; fi
}

case "$variant" in
python)
    # The interpreter lives under /opt/python (a link to /opt/python-<version>),
    # on PATH; no python under /usr/bin. Debian's python3.11 finds its prefix
    # from where the binary is (the stdlib next to it), so moving both is enough.
    account nonroot 65532 65532
    v=3.11
    p=opt/python-$v
    mkdir -p "$p/bin" "$p/lib"
    mv usr/bin/python$v "$p/bin/python$v"
    rm -f usr/bin/python3 usr/bin/python
    ln -s python$v "$p/bin/python3"
    ln -s python3 "$p/bin/python"
    mv usr/lib/python$v "$p/lib/python$v"
    ln -s python-$v opt/python
    # site-packages (where pip installs in the -dev image) is on sys.path; Debian's
    # site.py reads only .../dist-packages, so a .pth in one of those adds it.
    mkdir -p "$p/lib/python$v/site-packages" "$p/lib/python3/dist-packages"
    echo "/opt/python/lib/python$v/site-packages" >"$p/lib/python3/dist-packages/dhi-site-packages.pth"
    chroot "$root" /opt/python/bin/python3 -c "import sys, ssl, sqlite3; assert sys.prefix.startswith('/opt/python'), sys.prefix; assert '/opt/python/lib/python$v/site-packages' in sys.path, sys.path; print('python ok', sys.prefix)"
    ;;
node)
    # /opt/nodejs/node-v<version>/bin/node, linked from /usr/local/bin/node;
    # user node 1000; WORKDIR /app owned by root, 0755.
    account node 1000 1000
    ver=$(chroot "$root" /nodejs/bin/node --version)
    mkdir -p "opt/nodejs/node-$ver/bin" usr/local/bin
    mv nodejs/bin/node "opt/nodejs/node-$ver/bin/node"
    rm -rf nodejs
    ln -s "/opt/nodejs/node-$ver/bin/node" usr/local/bin/node
    mkdir -p app
    chmod 0755 app
    chroot "$root" /usr/local/bin/node -e 'console.log("node ok", process.version)'
    ;;
eclipse-temurin)
    # the JRE at /opt/java/openjdk/17-jre, every program of its bin/ linked
    # from /usr/local/bin; en_US.UTF-8 (LANG, LC_ALL) generated.
    account nonroot 65532 65532
    j=usr/lib/jvm/java-17-openjdk-amd64
    mkdir -p opt/java/openjdk usr/local/bin
    mv "$j" opt/java/openjdk/17-jre
    rm -f usr/bin/java
    for f in opt/java/openjdk/17-jre/bin/*; do ln -s "/$f" "usr/local/bin/${f##*/}"; done
    [ -s usr/lib/locale/locale-archive ]
    ;;
static)
    account nonroot 65532 65532
    [ ! -e usr/lib/x86_64-linux-gnu/libc.so.6 ]
    ;;
static-glibc)
    # the static image plus libc6: no OpenSSL (the base stand-in has it)
    account nonroot 65532 65532
    rm -f usr/lib/x86_64-linux-gnu/libssl.so.3 usr/lib/x86_64-linux-gnu/libcrypto.so.3
    rm -rf usr/lib/x86_64-linux-gnu/engines-3 usr/lib/x86_64-linux-gnu/ossl-modules var/lib/dpkg/status.d/libssl3
    ldconfig -r "$root"
    [ -e usr/lib/x86_64-linux-gnu/libc.so.6 ]
    ;;
nginx)
    # nginx.org's package laid out as the official image has it (the definition
    # installs the same package), then the definition's install steps: no `user`,
    # pid /var/run/nginx.pid, server_tokens off, default.conf on 8080, the logs
    # linked to stdout/stderr; 65532 owns /var/cache/nginx, /etc/nginx, /var/run
    # and /var/log/nginx; runs as nginx (65532), group www-data 82 too.
    account nginx 65532 65532
    echo 'www-data:x:82:' >>etc/group
    [ -x usr/sbin/nginx ]
    sed -i "s,listen       80;,listen       8080;," etc/nginx/conf.d/default.conf
    sed -i "/user  nginx;/d" etc/nginx/nginx.conf
    sed -i '/^http {$/a\    server_tokens off;' etc/nginx/nginx.conf
    grep -q 'listen       8080;' etc/nginx/conf.d/default.conf
    mkdir -p var/cache/nginx var/log/nginx run
    [ -L var/run ] || mkdir -p var/run
    chown -R 65532:65532 var/cache/nginx etc/nginx run var/log/nginx
    [ -L var/run ] || chown 65532:65532 var/run
    # the stand-in's binary (Debian's) has its compiled-in temp folders under
    # /var/lib/nginx; nginx.org's are under /var/cache/nginx, which is 65532's
    mkdir -p var/lib/nginx
    chown 65532:65532 var/lib/nginx
    [ -f etc/nginx/mime.types ] && [ -f usr/share/nginx/html/index.html ]
    ;;
*) echo "restage.sh: unknown variant $variant" >&2; exit 1 ;;
esac
printf '%s\n' 'PRETTY_NAME="Docker Hardened Images/Debian GNU/Linux 12 (bookworm) (dhard stand-in)"' \
    'NAME="Docker Hardened Images (Debian)"' 'ID=debian' 'VERSION_ID="12"' 'VERSION_CODENAME=bookworm' >etc/os-release
for sh in bin/sh bin/bash bin/dash usr/bin/sh usr/bin/bash usr/bin/dash bin/busybox; do
    if [ -e "$sh" ] || [ -L "$sh" ]; then echo "restage: $sh exists in $root" >&2; exit 1; fi
done
