# Reference target for `dhard harden --level hardened` of ./Dockerfile.
# Not distroless: the app needs /bin/sh (its ENTRYPOINT is a shell script and
# app.py runs `sh -c ... | jq`) and jq, which no distroless image has. Same
# base, same ENTRYPOINT/CMD; apt without recommends and without leftover lists;
# files stay root-owned (read-only to the app); runs as a non-root uid.
FROM python:3.11-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends jq \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

COPY . .
RUN chmod +x /app/docker-entrypoint.sh

EXPOSE 8000

# python:3.11-slim has no user 65532; a numeric USER needs no passwd entry
# (HOME is then /). `USER nonroot` would fail here: that user exists only in
# distroless images.
USER 65532:65532

ENTRYPOINT ["/app/docker-entrypoint.sh"]
CMD ["python", "app.py"]
