# Reference target for `dhard harden` (distroless level) of ./Dockerfile.
# The venv is built in the builder stage and copied whole. Its interpreter is
# a symlink to /usr/local/bin/python (python:3.11-slim's), which does not exist
# on distroless, and its pyvenv.cfg says home = /usr/local/bin: copied as is,
# the venv's python and every console script in /opt/venv/bin fail with
# "exec /opt/venv/bin/gunicorn: no such file or directory".
# Relink it to distroless's /usr/bin/python3.11 (same 3.11 ABI) and fix home.
FROM python:3.11-slim AS builder

WORKDIR /srv

RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"

COPY requirements.txt .
RUN pip install --no-cache-dir --upgrade pip && pip install --no-cache-dir -r requirements.txt

RUN ln -sf /usr/bin/python3.11 /opt/venv/bin/python \
 && sed -i 's#^home = .*#home = /usr/bin#' /opt/venv/pyvenv.cfg

COPY . .

FROM gcr.io/distroless/python3-debian12:nonroot

COPY --from=builder /opt/venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"

WORKDIR /srv
COPY --from=builder /srv /srv

EXPOSE 8000

# The console script's shebang is #!/opt/venv/bin/python, which now works
# (the kernel runs it; no shell needed). It must be the ENTRYPOINT: as CMD it
# would be handed to distroless's entrypoint, the system python3.11, which
# would run the script outside the venv (ModuleNotFoundError: gunicorn).
ENTRYPOINT ["/opt/venv/bin/gunicorn"]
CMD ["--bind", "0.0.0.0:8000", "--workers", "2", "wsgi:app"]
