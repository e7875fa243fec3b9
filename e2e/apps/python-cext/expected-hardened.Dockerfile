# Reference target for `dhard harden` (distroless level) of ./Dockerfile.
# The C extension is compiled in the builder; the final stage needs only its
# run-time library, libz.so.1, which distroless python3 already has (zlib1g).
# A build dependency whose run-time package distroless lacks (libpq-dev ->
# libpq5, libyaml-dev -> libyaml-0-2, ...) would have to be copied in, or the
# app left at --level hardened.
FROM python:3.11-slim AS builder

# --no-install-recommends would drop libc6-dev, a Recommends of gcc: here
# zlib1g-dev depends on it, but `--no-install-recommends gcc` alone cannot
# compile anything ("stdio.h: No such file or directory").
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev zlib1g-dev

WORKDIR /app

COPY . .

RUN pip install --no-cache-dir .

FROM gcr.io/distroless/python3-debian12:nonroot

# site-packages of python:3.11-slim -> dist-packages, on the sys.path of
# Debian's python3.11 (see python-flask)
COPY --from=builder /usr/local/lib/python3.11/site-packages /usr/local/lib/python3.11/dist-packages

WORKDIR /app
COPY --from=builder /app /app

EXPOSE 8000

CMD ["server.py"]
