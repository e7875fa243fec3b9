# Reference target for `dhard harden` (distroless level) of ./Dockerfile.
# A glibc Rust binary needs the loader, libc and libgcc_s: distroless cc,
# not base ("libgcc_s.so.1: cannot open shared object file") and not static
# ("exec ...: no such file or directory"). A static musl build would need
# `rustup target add x86_64-unknown-linux-musl`, which the Debian toolchain
# here cannot do.
FROM rust:1-bookworm AS builder

WORKDIR /usr/src/rust-http

COPY . .

RUN cargo install --locked --path .

FROM gcr.io/distroless/cc-debian12:nonroot

# /usr/local/bin is on distroless's PATH, so the original CMD still resolves
COPY --from=builder /usr/local/cargo/bin/rust-http /usr/local/bin/rust-http

EXPOSE 8080

CMD ["rust-http"]
