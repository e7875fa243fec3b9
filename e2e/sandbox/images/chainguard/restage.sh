#!/bin/sh
# restage.sh VARIANT ROOT
# Turn a copy of a distroless-like stand-in's root (ROOT) into the layout of a
# Chainguard image (cgr.dev/chainguard/VARIANT): paths, accounts and
# directories as the image's apko configuration gives them. Sources of each
# fact: e2e/NOTES.md, "Chainguard and DHI stand-ins: where each fact comes from".
set -eu
variant=$1
root=$2
cd "$root"

# apko writes one passwd line per configured account (home /home/<name>,
# shell /bin/sh even though the runtime images have no shell) after the
# entries of the base layout.
account() { # account NAME UID GID
    printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
        "$1:x:$2:$3:Account created by apko:/home/$1:/bin/sh" >etc/passwd
    printf '%s\n' 'root:x:0:' 'nobody:x:65534:' "$1:x:$3:" >etc/group
    chmod 0644 etc/passwd etc/group
    if [ "$1" != nonroot ]; then rm -rf home/nonroot; fi
}

case "$variant" in
python)
    # Wolfi's python-3.11: prefix /usr, /usr/bin/python -> python3 -> python3.11,
    # and /usr/lib/python3.11/site-packages on sys.path. Debian's interpreter
    # only reads dist-packages, so a .pth puts site-packages on its path too.
    account nonroot 65532 65532
    [ -x usr/bin/python3.11 ]
    ln -sf python3.11 usr/bin/python3
    ln -sf python3 usr/bin/python
    mkdir -p usr/lib/python3/dist-packages usr/lib/python3.11/site-packages
    echo /usr/lib/python3.11/site-packages >usr/lib/python3/dist-packages/wolfi-site-packages.pth
    chroot "$root" /usr/bin/python -c 'import sys, ssl, sqlite3; assert "/usr/lib/python3.11/site-packages" in sys.path, sys.path; print("python ok", sys.prefix)'
    ;;
node)
    # Wolfi's nodejs: /usr/bin/node; the image's work-dir /app is 0777 and
    # owned by the node user (65532).
    account node 65532 65532
    mv nodejs/bin/node usr/bin/node
    rm -rf nodejs
    mkdir -p app
    chmod 0777 app
    chown 65532:65532 app
    chroot "$root" /usr/bin/node -e 'console.log("node ok", process.version)'
    ;;
jre)
    # Wolfi's OpenJDK: /usr/bin/java -> /usr/lib/jvm/default-jvm/bin/java;
    # glibc-locale-en gives en_US.UTF-8 (LANG); work-dir /app.
    account java 65532 65532
    j=usr/lib/jvm/java-17-openjdk-amd64
    [ -x "$j/bin/java" ]
    ln -s java-17-openjdk-amd64 usr/lib/jvm/default-jvm
    ln -sf /usr/lib/jvm/default-jvm/bin/java usr/bin/java
    [ -s usr/lib/locale/locale-archive ]
    mkdir -p app
    ;;
static)
    account nonroot 65532 65532
    [ ! -e usr/lib/x86_64-linux-gnu/libc.so.6 ]
    ;;
glibc-dynamic)
    # glibc, libgcc and libstdc++ only: no OpenSSL (the cc stand-in has it)
    account nonroot 65532 65532
    rm -f usr/lib/x86_64-linux-gnu/libssl.so.3 usr/lib/x86_64-linux-gnu/libcrypto.so.3
    rm -rf usr/lib/x86_64-linux-gnu/engines-3 usr/lib/x86_64-linux-gnu/ossl-modules var/lib/dpkg/status.d/libssl3
    ldconfig -r "$root"
    [ -e usr/lib/x86_64-linux-gnu/libstdc++.so.6 ] && [ -e usr/lib/x86_64-linux-gnu/libgcc_s.so.1 ]
    ;;
nginx)
    # Wolfi's nginx and nginx-package-config: /usr/sbin/nginx; nginx.conf includes
    # conf.d/*.conf in http {}, conf.d/default.conf serves /usr/share/nginx/html
    # on 8080; user nginx 65532; /var/lib/nginx, /var/lib/nginx/tmp and /var/run
    # (both 0777) its own (CG images/nginx/config/template.apko.yaml, "paths").
    account nginx 65532 65532
    [ -x usr/sbin/nginx ]
    rm -f etc/nginx/conf.d/*.conf
    printf '%s\n' 'worker_processes auto;' 'error_log /dev/stderr;' 'pid /var/lib/nginx/nginx.pid;' \
        'events { worker_connections 1024; }' 'http {' '    include mime.types;' \
        '    default_type application/octet-stream;' '    sendfile on;' '    access_log /dev/stdout;' \
        '    client_body_temp_path /var/lib/nginx/tmp/client_body;' '    proxy_temp_path /var/lib/nginx/tmp/proxy;' \
        '    fastcgi_temp_path /var/lib/nginx/tmp/fastcgi;' '    uwsgi_temp_path /var/lib/nginx/tmp/uwsgi;' \
        '    scgi_temp_path /var/lib/nginx/tmp/scgi;' '    include /etc/nginx/conf.d/*.conf;' '}' >etc/nginx/nginx.conf
    printf '%s\n' 'server {' '    listen 8080;' '    location / {' '        root /usr/share/nginx/html;' \
        '        index index.html;' '    }' '}' >etc/nginx/conf.d/default.conf
    mkdir -p var/lib/nginx/tmp
    chown -R 65532:65532 var/lib/nginx
    chmod 0777 var/lib/nginx/tmp
    run=var/run; [ -L var/run ] && run=run
    mkdir -p "$run"
    chown 65532:65532 "$run"
    chmod 0777 "$run"
    [ -f etc/nginx/mime.types ] && [ -f usr/share/nginx/html/index.html ]
    ;;
*) echo "restage.sh: unknown variant $variant" >&2; exit 1 ;;
esac
printf '%s\n' 'ID=wolfi' 'NAME="Wolfi"' 'PRETTY_NAME="Wolfi (dhard stand-in: Debian 12 packages)"' >etc/os-release
for sh in bin/sh bin/bash bin/dash usr/bin/sh usr/bin/bash usr/bin/dash bin/busybox; do
    if [ -e "$sh" ] || [ -L "$sh" ]; then echo "restage: $sh exists in $root" >&2; exit 1; fi
done
