# Stand-in for gcr.io/distroless/cc-debian12: base + libgcc_s, libgomp and
# libstdc++ (what glibc-linked Rust and C++ binaries need), no shell.
FROM docker.io/library/debian:bookworm-slim AS build
# Identical first steps in every distroless Containerfile: the package
# install (the union of what all variants copy) is built once and then comes
# from the layer cache. /usr/share/man/man1: the slim base excludes man pages
# and the JRE's alternatives setup fails without that directory.
COPY build-packages.txt /tmp/build-packages.txt
RUN mkdir -p /usr/share/man/man1 \
 && apt-get update \
 && xargs -a /tmp/build-packages.txt apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/*
COPY mkrootfs.sh finish-rootfs.sh check-libs.sh /usr/local/bin/
RUN mkrootfs.sh /rootfs libc6 libssl3 libgcc-s1 libgomp1 libstdc++6 gcc-12-base netbase tzdata \
 && finish-rootfs.sh /rootfs \
 && check-libs.sh /rootfs /usr/lib/x86_64-linux-gnu/libssl.so.3 /usr/lib/x86_64-linux-gnu/libstdc++.so.6

FROM scratch
COPY --from=build /rootfs/ /
COPY --from=build --chown=65532:65532 /rootfs/home/nonroot /home/nonroot
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
