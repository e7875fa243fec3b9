# Reference target for `dhard harden` (distroless level) of ./Dockerfile.
# Builder: the original's install steps (curl dropped: nothing at run time uses
# it; pip cache off). Final: distroless python3 :nonroot, whose ENTRYPOINT is
# already the interpreter (/usr/bin/python3.11), so CMD keeps only the
# arguments: ["python", "app.py"] -> ["app.py"].
FROM python:3.11-slim AS builder

ENV PYTHONUNBUFFERED=1

WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .

FROM gcr.io/distroless/python3-debian12:nonroot

ENV PYTHONUNBUFFERED=1

# pip installed into /usr/local/lib/python3.11/site-packages. Distroless runs
# Debian's python3.11, whose sys.path has /usr/local/lib/python3.11/dist-packages
# (when it exists) but never .../site-packages: copy the packages there. (Or
# keep the path and set PYTHONPATH -- but PYTHONPATH entries come before the
# standard library, so a backport named like a stdlib module would shadow it.)
COPY --from=builder /usr/local/lib/python3.11/site-packages /usr/local/lib/python3.11/dist-packages

WORKDIR /app
COPY --from=builder /app /app

EXPOSE 8000

CMD ["app.py"]
