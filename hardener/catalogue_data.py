"""The rule catalogue, compiled from rules/DHnnn.yml by ``python -m hardener.catalogue``. Do not edit."""

RULES = {'DH101': {'aliases': ['DL3002'],
           'code': 'DH101',
           'docs': {'example': '```dockerfile\n'
                               'FROM python:3.12-slim\n'
                               'RUN pip install --no-cache-dir flask\n'
                               'COPY app.py /app/\n'
                               'CMD ["python", "/app/app.py"]\n'
                               '```\n',
                    'fix-safety': 'Unsafe: the process loses root, so writes to root-owned paths and '
                                  'binding\n'
                                  'ports below 1024 may fail. The fix picks a user the base image has\n'
                                  '(a non-root user an earlier `USER` of the file switched to, the user a\n'
                                  '`RUN useradd`/`adduser` of the shipped stages creates, `node` for node,\n'
                                  '`nonroot` for distroless, `app` for .NET chiseled), else creates `app` '
                                  'with\n'
                                  '`groupadd`/`useradd` (Debian/Ubuntu) or `addgroup`/`adduser` (Alpine,\n'
                                  'BusyBox), else uses the numeric `65532:65532`. The `USER` goes into the\n'
                                  'final stage only, after its last `RUN` (never before a `RUN` that still\n'
                                  'needs root) and before the trailing `CMD`/`ENTRYPOINT`/`EXPOSE`/\n'
                                  '`HEALTHCHECK`/`LABEL`. A last `USER root` with no `RUN` after it is\n'
                                  'replaced in place. No fix when the final stage has `ONBUILD RUN`\n'
                                  'triggers (they would run as the new user in child images) or when the\n'
                                  'file ends inside a continuation line.\n'
                                  '\n'
                                  'The fix knows where the app runs and writes. No fix when the WORKDIR is\n'
                                  'inside `/root`, which no other user may enter. The folders the app '
                                  'writes\n'
                                  'to are handed to the new user in the same fix (`RUN mkdir -p … && chown\n'
                                  '<user> …`, the folders only, not the code in them): its `VOLUME`s, the\n'
                                  'folders `RUN mkdir` creates in the shipped stages, and the folders its\n'
                                  'Python and JavaScript sources write into (`open(…, "w")`,\n'
                                  '`sqlite3.connect`, `fs.writeFile`…; relative paths against the WORKDIR,\n'
                                  'a computed path as the WORKDIR). The sources are read from the build\n'
                                  "context, taken to be the Dockerfile's folder (`dhard fix`, `dhard "
                                  'check`,\n'
                                  'the language server); it must hold what the file copies. When dhard\n'
                                  'cannot tell where the app writes (a program it cannot read, such as a Go\n'
                                  "binary or the base image's own command; no build context; a write into a\n"
                                  'folder the system shares, such as `/var/log`), the fix is unproven: the\n'
                                  'message says why, `--unsafe-fixes` does not apply it, and\n'
                                  '`dhard fix --verify` applies it only when the fixed image, built and '
                                  'run,\n'
                                  'answers as the original does.\n',
                    'options': '`images` (extra base-image knowledge: `default_user`, `nonroot_user`,\n'
                               '`drops_privileges`) decides what counts as a root base and which user the\n'
                               'fix adds.\n',
                    'use-instead': '```dockerfile\n'
                                   'FROM python:3.12-slim\n'
                                   'RUN pip install --no-cache-dir flask\n'
                                   'COPY app.py /app/\n'
                                   'RUN groupadd --system app && useradd --system --gid app --no-create-home '
                                   'app\n'
                                   'USER app\n'
                                   'CMD ["python", "/app/app.py"]\n'
                                   '```\n',
                    'what-it-does': 'Works out which user the shipped image runs as: the last `USER` of the\n'
                                    'final stage, or of the stages it is built `FROM`, with `ARG`/`ENV` '
                                    'values\n'
                                    'resolved; without one, the default user of the base image. It flags '
                                    'the\n'
                                    'image when that user is root (`root`, `0`, `0:0`, `root:root`,\n'
                                    "Windows' `ContainerAdministrator`), or when there is no `USER` and the\n"
                                    'base image runs as root or its default user is unknown. `FROM scratch`\n'
                                    'without `USER` runs as root.\n'
                                    '\n'
                                    'It stays silent when:\n'
                                    '\n'
                                    '- a `USER` cannot be resolved (`USER $UID` with no default): dhard '
                                    'does\n'
                                    '  not guess;\n'
                                    '- only a builder stage runs as root: builder stages do not ship;\n'
                                    '- the base image already runs as a non-root user (distroless '
                                    '`:nonroot`,\n'
                                    '  Chainguard, .NET chiseled, Bitnami...) and no `USER` changes it;\n'
                                    '- the base is an official image whose entrypoint starts as root and '
                                    'drops\n'
                                    '  privileges itself (postgres, redis, mysql, mariadb, mongo,\n'
                                    '  rabbitmq... via `gosu`/`su-exec`) and the Dockerfile keeps that\n'
                                    '  entrypoint (no `ENTRYPOINT` of its own in the final stage chain);\n'
                                    '- the entrypoint drops privileges itself: it starts with `gosu`,\n'
                                    '  `su-exec`, `setpriv`, `s6-setuidgid`..., or it is an entrypoint '
                                    'script\n'
                                    '  of an image whose `RUN` steps install or use `gosu`/`su-exec` (the\n'
                                    "  pattern of the official images' own Dockerfiles).\n",
                    'why-is-this-bad': "A process running as root in a container is root on the container's\n"
                                       'file system and, with a kernel or runtime escape, much closer to '
                                       'root on\n'
                                       'the host. Many clusters refuse such pods outright\n'
                                       '(`runAsNonRoot`, restricted Pod Security Standards).\n'},
           'fix': 'sometimes',
           'message': 'The image runs as root; add a USER with a non-root user before CMD/ENTRYPOINT.',
           'name': 'root-user',
           'severity': 'error',
           'summary': 'The shipped image runs as root.'},
 'DH102': {'aliases': ['DL3004'],
           'code': 'DH102',
           'docs': {'example': '```dockerfile\n'
                               'FROM ubuntu:24.04\n'
                               'USER app\n'
                               'RUN sudo apt-get update && sudo apt-get install -y curl\n'
                               '```\n',
                    'fix-safety': 'No fix: moving steps around `USER` changes which files the user owns.\n',
                    'options': 'None.\n',
                    'use-instead': '```dockerfile\n'
                                   'FROM ubuntu:24.04\n'
                                   'RUN apt-get update && apt-get install -y --no-install-recommends curl '
                                   '\\\n'
                                   '    && rm -rf /var/lib/apt/lists/*\n'
                                   'USER app\n'
                                   '```\n',
                    'what-it-does': 'Flags `sudo` used as a command in a `RUN` of a shipped stage (the '
                                    'final\n'
                                    'stage and the stages it is built `FROM`), including inside\n'
                                    "`sh -c '...'`, heredoc bodies and `ONBUILD RUN`. Installing the `sudo`\n"
                                    'package is not flagged, only running it. Builder stages are not '
                                    'judged:\n'
                                    'there `sudo` is pointless but does not reach the image.\n',
                    'why-is-this-bad': 'A `RUN` step already runs as the user set by `USER`; `sudo` only '
                                       'works if\n'
                                       'that user has password-less sudo rights, which then ship with the '
                                       'image\n'
                                       'and let any process in the container become root. It also makes the\n'
                                       'build depend on a setuid binary and its configuration.\n'},
           'fix': 'never',
           'message': "Do not use sudo in RUN; the build step's user comes from USER (switch with USER root "
                      '/ USER app).',
           'name': 'sudo',
           'severity': 'warning',
           'summary': 'A RUN of a shipped stage uses sudo.'},
 'DH103': {'aliases': [],
           'code': 'DH103',
           'docs': {'example': '```dockerfile\n'
                               'FROM node:22-slim\n'
                               'COPY . /app\n'
                               'RUN chmod -R 777 /app\n'
                               'USER node\n'
                               '```\n',
                    'fix-safety': 'No fix: which user needs to write where is a decision about the app.\n',
                    'options': 'None.\n',
                    'use-instead': '```dockerfile\n'
                                   'FROM node:22-slim\n'
                                   'COPY --chown=node:node . /app\n'
                                   'USER node\n'
                                   '```\n',
                    'what-it-does': 'Flags modes that give write permission to "others" in shipped stages:\n'
                                    '`chmod 777`, `chmod -R 0666`, `chmod a+w`, `o+w`, `ugo+rwx`, '
                                    '`o=rwx`...\n'
                                    "in `RUN` (also inside `sh -c '...'`, heredocs and `ONBUILD RUN`),\n"
                                    '`mkdir -m`/`install -m` with such a mode, and `COPY`/`ADD '
                                    '--chmod=777`.\n'
                                    'Modes with the sticky bit (`1777`, `+t`), the usual way to make a\n'
                                    'shared `/tmp`-like directory, are not flagged; neither is `+w` without\n'
                                    '`o`/`a` (the umask removes the others-write bit).\n',
                    'why-is-this-bad': 'Any process in the container, whatever its user, can then change '
                                       'those\n'
                                       'files: a compromised low-privilege process can rewrite code or\n'
                                       'configuration that a more privileged one later runs. It usually '
                                       'papers\n'
                                       'over an ownership problem that `chown` or `COPY --chown` solves '
                                       'properly.\n'},
           'fix': 'never',
           'message': "Path made world-writable; give it to the app's user (chown / --chown) and drop the "
                      'others-write bit.',
           'name': 'world-writable',
           'severity': 'warning',
           'summary': 'A shipped path is made writable by every user.'},
 'DH201': {'aliases': ['DL3025'],
           'code': 'DH201',
           'docs': {'example': '```dockerfile\n'
                               'CMD python -m http.server 8000\n'
                               'HEALTHCHECK CMD curl -f http://localhost:8000/ || exit 1\n'
                               '```\n',
                    'fix-safety': 'Offered only when the command is one simple command: no `$` expansion,\n'
                                  'no backquotes, globs, `~`, redirects, pipes, `&&`/`;`, comments,\n'
                                  'escapes or shell builtins, and the image does not run Windows or a\n'
                                  'non-POSIX `SHELL`. The words are rewritten in place as JSON strings, so\n'
                                  'continuation lines and comments inside them stay. Safe for `CMD` and\n'
                                  '`HEALTHCHECK` when no `ENTRYPOINT` of the Dockerfile receives the `CMD`;\n'
                                  'unsafe otherwise and for `ENTRYPOINT` (an exec-form `ENTRYPOINT` '
                                  'receives\n'
                                  '`CMD` and `docker run` arguments, which shell form ignored).\n',
                    'options': 'None.\n',
                    'use-instead': '```dockerfile\n'
                                   'CMD ["python", "-m", "http.server", "8000"]\n'
                                   'HEALTHCHECK CMD ["curl", "-f", "http://localhost:8000/"]\n'
                                   '```\n'
                                   'When the command needs the shell (variables, `&&`, pipes), start it '
                                   'with\n'
                                   '`exec` so the app replaces the shell: `CMD exec gunicorn -b :$PORT '
                                   'app:app`.\n',
                    'what-it-does': 'Flags `CMD`, `ENTRYPOINT` and `HEALTHCHECK ... CMD` written in shell '
                                    'form\n'
                                    '(`CMD python app.py`) in shipped stages, including `ONBUILD` '
                                    'triggers.\n',
                    'why-is-this-bad': 'Shell form runs `/bin/sh -c "..."`: the shell is PID 1, so `docker '
                                       "stop`'s\n"
                                       'SIGTERM goes to the shell, which does not pass it on; the app is '
                                       'killed\n'
                                       'after the timeout without a chance to shut down cleanly. A '
                                       'shell-form\n'
                                       '`ENTRYPOINT` also ignores `CMD` and `docker run` arguments, and any '
                                       'shell\n'
                                       'form needs a shell in the image, which distroless and scratch images '
                                       'do\n'
                                       'not have.\n'},
           'fix': 'sometimes',
           'message': 'Use exec (JSON) form so the process gets signals as PID 1 and needs no shell.',
           'name': 'shell-form-entrypoint',
           'severity': 'warning',
           'summary': 'CMD, ENTRYPOINT or HEALTHCHECK CMD in shell form.'},
 'DH202': {'aliases': [],
           'code': 'DH202',
           'docs': {'example': '```dockerfile\nRUN curl -fsSL https://example.com/install.sh | sh\n```\n',
                    'fix-safety': 'No fix: the checksum of the script you reviewed cannot be known here.\n',
                    'options': 'None.\n',
                    'use-instead': '```dockerfile\n'
                                   'ARG INSTALL_SHA256=<sha256 of the reviewed script>\n'
                                   'RUN curl -fsSLo /tmp/install.sh https://example.com/v1.2.3/install.sh '
                                   '\\\n'
                                   '    && echo "${INSTALL_SHA256}  /tmp/install.sh" | sha256sum -c - \\\n'
                                   '    && sh /tmp/install.sh && rm /tmp/install.sh\n'
                                   '```\n'
                                   'or `ADD --checksum=sha256:... https://example.com/v1.2.3/install.sh '
                                   '/tmp/`.\n',
                    'what-it-does': 'Flags `RUN` steps of shipped stages that pipe a download into a shell '
                                    'or\n'
                                    'interpreter, or run it by command substitution:\n'
                                    '`curl ... | sh`, `wget -qO- ... | bash`, `curl ... | sudo -E bash -`,\n'
                                    '`curl ... | python3 -`, `sh -c "$(curl ...)"`, `bash <(curl ...)`,\n'
                                    '`eval "$(wget -O- ...)"`. Also inside `sh -c \'...\'`, heredoc bodies '
                                    'and\n'
                                    '`ONBUILD RUN`. A pipe into an interpreter that runs its own program\n'
                                    "(`curl ... | python3 -c '...'`, `curl ... | sh -c 'tar x'`) reads "
                                    'data,\n'
                                    'not code, and is not flagged.\n',
                    'why-is-this-bad': 'Whatever the server (or anyone between it and you) returns runs as '
                                       'root\n'
                                       'inside the build, unreviewed and unpinned. A truncated download runs '
                                       'a\n'
                                       'half script; and the next build may run a different one.\n'},
           'fix': 'never',
           'message': 'A downloaded script is run without being checked; download it to a file, verify its '
                      'checksum, then run it.',
           'name': 'pipe-to-shell',
           'severity': 'warning',
           'summary': 'A downloaded script is run straight from the network.'},
 'DH203': {'aliases': [],
           'code': 'DH203',
           'docs': {'example': '```dockerfile\n'
                               'FROM golang:1.23 AS build\n'
                               'RUN go build -o /app .\n'
                               'FROM debian:12-slim\n'
                               'COPY --from=build /app /app\n'
                               'ENTRYPOINT ["/app"]\n'
                               '```\n',
                    'fix-safety': 'No fix from the linter: changing the base is a rewrite of the build\n'
                                  '(`dhard harden`), which checks the app can live without a shell.\n',
                    'options': '`images` (extra base-image knowledge: `has_shell`).\n',
                    'use-instead': '```dockerfile\n'
                                   'FROM golang:1.23 AS build\n'
                                   'RUN CGO_ENABLED=0 go build -o /app .\n'
                                   'FROM gcr.io/distroless/static-debian12:nonroot\n'
                                   'COPY --from=build /app /app\n'
                                   'ENTRYPOINT ["/app"]\n'
                                   '```\n',
                    'what-it-does': "Reports once, on the final stage's `FROM`, when the base image the\n"
                                    'shipped image is built on is known to contain a shell (`/bin/sh`,\n'
                                    'bash, BusyBox, `cmd.exe`). Bases known to have none (scratch,\n'
                                    'distroless, Chainguard, .NET chiseled) and unknown bases are not\n'
                                    'reported.\n',
                    'why-is-this-bad': 'A shell (and the tools around it) is what an attacker who gets code\n'
                                       'execution in the container uses next: to download tools, explore '
                                       'the\n'
                                       'network, escalate. An image without one has a much smaller attack\n'
                                       'surface and fewer packages to patch.\n'},
           'fix': 'never',
           'message': 'The shipped base image has a shell; `dhard harden` can move the app onto a shell-less '
                      '(distroless) base.',
           'name': 'shell-in-final-image',
           'severity': 'info',
           'summary': 'The shipped image has a shell.'},
 'DH204': {'aliases': ['DL4006'],
           'code': 'DH204',
           'docs': {'example': '```dockerfile\n'
                               'FROM debian:12-slim\n'
                               'RUN curl -fsSL https://example.com/tool.tgz | tar -xz -C /usr/local/bin\n'
                               '```\n',
                    'fix-safety': 'Unsafe: the `SHELL` applies to every later `RUN` and shell-form\n'
                                  '`CMD`/`ENTRYPOINT` of the stage and of stages built from it, which now\n'
                                  'run under bash (or ash) instead of `/bin/sh`. The fix inserts\n'
                                  '`SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before the first such '
                                  '`RUN`\n'
                                  'of the stage when the base is known to have bash (Debian, Ubuntu, RHEL,\n'
                                  'Fedora, Amazon Linux, SUSE families), or\n'
                                  '`SHELL ["/bin/ash", "-o", "pipefail", "-c"]` on Alpine and BusyBox. It\n'
                                  'never prepends `set -o pipefail` to the `RUN`: dash, the `/bin/sh` of\n'
                                  'Debian and Ubuntu, rejects it. When the stage already set a `SHELL`\n'
                                  '(bash, ash...), that `SHELL` gets `-o pipefail` instead of a second one.\n'
                                  'No fix for exec-form `RUN`, a heredoc with its own `#!` line, a pipe\n'
                                  'inside an explicit `sh -c`/`bash -c` (the `SHELL` does not reach them),\n'
                                  '`ONBUILD` triggers, on other bases, or when a `RUN` the new `SHELL`\n'
                                  'reaches has a pipe that pipefail would break (`yes | ...`, `| head`).\n',
                    'options': 'None.\n',
                    'use-instead': '```dockerfile\n'
                                   'FROM debian:12-slim\n'
                                   'SHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
                                   'RUN curl -fsSL https://example.com/tool.tgz | tar -xz -C /usr/local/bin\n'
                                   '```\n',
                    'what-it-does': 'Flags a shell-form or heredoc `RUN` of a shipped stage whose commands '
                                    'use\n'
                                    'a pipe (`|`) when the shell in effect does not have `pipefail`: '
                                    'neither\n'
                                    'the `SHELL` of the stage (inherited through `FROM <stage>`) nor a\n'
                                    '`set -o pipefail` in the `RUN` itself before the pipe. Exec-form `RUN`\n'
                                    'without a shell does not pipe. Pipes fed only by `echo` or `printf` '
                                    'are\n'
                                    'not flagged (they cannot fail in a way that matters), nor pipes that\n'
                                    'pipefail would break: `yes | ...`, `... | head`, `... | grep -q` (the\n'
                                    'upstream command dies of SIGPIPE, a failure under pipefail).\n',
                    'why-is-this-bad': "A pipeline's status is its last command's. `curl -fsSL $URL | tar "
                                       'xz`\n'
                                       'succeeds when the download fails, as long as `tar` exits 0, so the '
                                       'build\n'
                                       'goes on with a missing or partial file and fails later, or ships '
                                       'broken.\n'},
           'fix': 'sometimes',
           'message': 'A failure before the pipe is ignored; set SHELL ["/bin/bash", "-o", "pipefail", "-c"] '
                      'before this RUN.',
           'name': 'missing-pipefail',
           'severity': 'warning',
           'summary': 'A RUN pipes commands under a shell without pipefail.'},
 'DH205': {'aliases': [],
           'code': 'DH205',
           'docs': {'example': '```dockerfile\n'
                               'ENTRYPOINT ["sh", "-c", "python manage.py migrate && gunicorn app.wsgi"]\n'
                               '```\n',
                    'fix-safety': 'No fix: only the author knows whether the script already `exec`s.\n',
                    'options': 'None.\n',
                    'use-instead': '```dockerfile\n'
                                   'ENTRYPOINT ["sh", "-c", "python manage.py migrate && exec gunicorn '
                                   'app.wsgi"]\n'
                                   '```\n'
                                   'or run the app directly (`ENTRYPOINT ["gunicorn", "app.wsgi"]`), and\n'
                                   'make entrypoint scripts end with `exec "$@"`.\n',
                    'what-it-does': 'Flags an exec-form `ENTRYPOINT` or `CMD` of the shipped image that\n'
                                    'starts a shell with a command (`["sh", "-c", "..."]`,\n'
                                    '`["/bin/bash", "-c", "..."]`, `["bash", "start.sh"]`) or a `.sh` '
                                    'script\n'
                                    '(`["./entrypoint.sh"]`). It does not flag a bare interactive shell\n'
                                    '(`CMD ["bash"]`), a `-c` command whose last step is `exec ...`, a '
                                    'script\n'
                                    "run under an init (`tini`, `dumb-init`, s6 `/init`), a base image's "
                                    'own\n'
                                    'entrypoint script declared again (`docker-entrypoint.sh` on node,\n'
                                    'postgres...), or an `ENTRYPOINT` script followed by a `CMD` of the\n'
                                    'file: that is the wrapper idiom (`ENTRYPOINT ["entrypoint.sh"]` +\n'
                                    '`CMD ["app"]`), where the script receives the command and ends with\n'
                                    '`exec "$@"`. Only the final stage and the stages it is built `FROM`\n'
                                    'are judged.\n',
                    'why-is-this-bad': 'The shell becomes PID 1. Unless the script `exec`s the app, SIGTERM '
                                       'from\n'
                                       '`docker stop` reaches the shell, not the app, which is killed after '
                                       'the\n'
                                       'timeout; zombies are not reaped. It also needs a shell in the '
                                       'image.\n'},
           'fix': 'never',
           'message': 'The container starts a shell as PID 1; make the script `exec` the app, or run the app '
                      'directly.',
           'name': 'shell-wrapper-entrypoint',
           'severity': 'warning',
           'summary': 'The exec-form ENTRYPOINT or CMD starts a shell or a shell script.'},
 'DH301': {'aliases': ['DL3009'],
           'code': 'DH301',
           'docs': {'example': '```dockerfile\n'
                               'FROM debian:12.8-slim\n'
                               'RUN apt-get update && apt-get install -y --no-install-recommends curl\n'
                               '```\n',
                    'fix-safety': 'Safe: appends `rm -rf /var/lib/apt/lists/*` (with `sudo` when the apt\n'
                                  'commands use it) so it runs last — `&& ...` on the same line for a\n'
                                  "one-line `RUN`, on a new continuation line with the `RUN`'s indent and\n"
                                  '`&&` style for a multi-line one, as its own command after a trailing `;`\n'
                                  'under `set -e`; inside a heredoc body as a new line before the\n'
                                  'terminator. The exit status of the `RUN` is kept: the cleanup runs only\n'
                                  'when everything before it succeeded.\n'
                                  '\n'
                                  'For the archives, the fix appends `apt-get clean` the same way (safe: '
                                  'the\n'
                                  'archives are only a download cache); adding a cache mount on\n'
                                  '`/var/cache/apt` instead is usually what such a build meant.\n'
                                  '\n'
                                  'No fix is offered when a later `RUN` (in this stage, a stage built '
                                  '`FROM`\n'
                                  'it, or an `ONBUILD` trigger) installs without its own `apt-get update` —\n'
                                  'removing the lists would break that install; merge the `RUN`s instead.\n'
                                  'No fix either for exec-form `RUN ["..."]`, a shell that is not POSIX\n'
                                  '(PowerShell, cmd, Windows images), a script the shell reader cannot be\n'
                                  'sure of (`eval`, functions), a `RUN` ending in `&`, a comment or an open\n'
                                  'operator, a heredoc body fed to a shell whose delimiter is unquoted, or '
                                  'a\n'
                                  'heredoc that is not a shell script (`#!/usr/bin/env python`).\n',
                    'options': 'None.\n',
                    'use-instead': '```dockerfile\n'
                                   'FROM debian:12.8-slim\n'
                                   'RUN apt-get update && apt-get install -y --no-install-recommends curl '
                                   '\\\n'
                                   '    && rm -rf /var/lib/apt/lists/*\n'
                                   '```\n'
                                   'or keep the lists out of the layer with a cache mount:\n'
                                   '```dockerfile\n'
                                   'RUN --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n'
                                   '    apt-get update && apt-get install -y --no-install-recommends curl\n'
                                   '```\n',
                    'what-it-does': 'Flags a `RUN` in a shipped stage that runs `apt-get update` (or `apt\n'
                                    'update`, or `aptitude update`: it writes the same lists) and does not '
                                    'remove `/var/lib/apt/lists` after its last apt\n'
                                    'command in the same `RUN`. Any of these counts as removal: `rm -rf`\n'
                                    '(`-fr`, `-r -f`, `--recursive --force`, plain `-r`) of\n'
                                    '`/var/lib/apt/lists/*`, of the directory or of a parent such as\n'
                                    '`/var/lib/apt`; `find /var/lib/apt/lists ... -delete`; `apt-get\n'
                                    'dist-clean`; or a BuildKit cache, tmpfs or bind mount on\n'
                                    '`/var/lib/apt/lists` or a parent (`RUN '
                                    '--mount=type=cache,target=/var/lib/apt`).\n'
                                    '\n'
                                    'Commands are found through `sudo`/`env` wrappers, inside `sh -c '
                                    "'...'`,\n"
                                    '`ONBUILD RUN`, `RUN <<EOF` heredocs and heredocs fed to a shell\n'
                                    "(`RUN bash <<'EOF'`). Builder stages (stages the final stage neither "
                                    'is\n'
                                    'nor is built `FROM`) are not judged: their files do not ship.\n'
                                    'A quoted glob (`rm -rf "/var/lib/apt/lists/*"`) removes nothing and '
                                    'does\n'
                                    'not count. `apt-get clean` does not count either: it empties\n'
                                    '`/var/cache/apt/archives`, not the lists.\n'
                                    '\n'
                                    "It also flags the downloaded archives: Debian's and Ubuntu's images "
                                    'ship\n'
                                    '`/etc/apt/apt.conf.d/docker-clean`, which deletes the `.deb` files apt\n'
                                    'downloads. When the build removes it (in this `RUN` before the install, '
                                    'or\n'
                                    'in an earlier `RUN` of the stage chain) — usually to keep the archives '
                                    'in\n'
                                    'a cache mount — an `install`, `upgrade`, `dist-upgrade`, '
                                    '`build-dep`...\n'
                                    'leaves them in `/var/cache/apt/archives` unless a cache, tmpfs or bind\n'
                                    'mount covers that directory (`target=/var/cache/apt`; a mount on\n'
                                    '`/var/lib/apt` alone does not), it is removed afterwards, or `apt-get\n'
                                    'clean` (`apt clean`, `aptitude clean`, `dist-clean`) runs after it.\n',
                    'why-is-this-bad': 'The lists are tens of megabytes that nothing in the running '
                                       'container\n'
                                       'needs. A later `RUN` that deletes them does not shrink the image: '
                                       'the\n'
                                       'layer that wrote them keeps them. They also go stale: a later '
                                       'install\n'
                                       'against old lists fails or installs outdated versions.\n'},
           'fix': 'sometimes',
           'message': 'apt-get update leaves /var/lib/apt/lists in the layer; end the RUN with `rm -rf '
                      '/var/lib/apt/lists/*`.',
           'name': 'apt-lists-left',
           'severity': 'warning',
           'summary': '`apt-get update` leaves the package lists in the image layer.'},
 'DH302': {'aliases': ['DL3015'],
           'code': 'DH302',
           'docs': {'example': '```dockerfile\n'
                               'RUN apt-get update && apt-get install -y curl && rm -rf '
                               '/var/lib/apt/lists/*\n'
                               '```\n',
                    'fix-safety': 'Unsafe: inserts `--no-install-recommends` right after `install`. The\n'
                                  'image changes: software that relied on a recommended package '
                                  '(certificates\n'
                                  'for `curl`, `ca-certificates` for `wget`, locales...) may fail at run\n'
                                  'time until it is installed by name. No fix for exec-form `RUN`, a word '
                                  'we\n'
                                  'cannot map back to the source exactly, or a script the shell reader is\n'
                                  'not sure of.\n',
                    'options': 'None.\n',
                    'use-instead': '```dockerfile\n'
                                   'RUN apt-get update && apt-get install -y --no-install-recommends curl '
                                   '\\\n'
                                   '    && rm -rf /var/lib/apt/lists/*\n'
                                   '```\n',
                    'what-it-does': 'Flags `apt-get install` and `apt install` in a shipped stage without\n'
                                    '`--no-install-recommends`, `-o APT::Install-Recommends=false` (or `0`,\n'
                                    '`no`, `off`). An explicit `--install-recommends` or\n'
                                    '`-o APT::Install-Recommends=true` is a choice and is not flagged, and\n'
                                    '`apt-get install -s` (simulate) or `-d` (download only) installs '
                                    'nothing. Nor is\n'
                                    'an install after an earlier `RUN` of the stage chain wrote\n'
                                    '`APT::Install-Recommends "false"` into an `apt.conf` file, or copied '
                                    'an\n'
                                    '`apt.conf.d` file whose name mentions recommends.\n',
                    'why-is-this-bad': 'Recommended packages are not needed for the requested ones to work. '
                                       'They\n'
                                       'often double the installed size and add packages (and CVEs) nobody '
                                       'asked\n'
                                       'for: `apt-get install -y python3` pulls in a compiler tool chain.\n'},
           'fix': 'sometimes',
           'message': 'apt-get install also installs recommended packages; add --no-install-recommends.',
           'name': 'apt-recommends',
           'severity': 'warning',
           'summary': '`apt-get install` also installs the recommended packages.'},
 'DH303': {'aliases': ['DL3019'],
           'code': 'DH303',
           'docs': {'example': '```dockerfile\nFROM alpine:3.20\nRUN apk update && apk add curl\n```\n',
                    'fix-safety': 'Safe. When the `RUN` only has `apk add` (or `upgrade`) without\n'
                                  '`--no-cache`, the fix inserts `--no-cache` after `add`: apk then fetches\n'
                                  'a fresh index into memory instead of the cache, and installs the same\n'
                                  'packages. When the `RUN` runs `apk update`, the fix appends\n'
                                  '`rm -rf /var/cache/apk/*` at the end of the `RUN` instead (apk fetches a\n'
                                  'missing index on its next `add`, so later `RUN`s keep working). '
                                  'Placement\n'
                                  'and the cases without a fix are those of DH301; apt cleanup is never\n'
                                  'added to an apk `RUN`, nor apk flags to an apt one.\n',
                    'options': 'None.\n',
                    'use-instead': '```dockerfile\nFROM alpine:3.20\nRUN apk add --no-cache curl\n```\n',
                    'what-it-does': 'Flags, in a shipped stage, `apk add` and `apk upgrade` without\n'
                                    '`--no-cache`, and `apk update` (which only fills the cache), unless '
                                    'the\n'
                                    'same `RUN` afterwards removes `/var/cache/apk` (`rm -rf '
                                    '/var/cache/apk/*`),\n'
                                    'runs `apk cache clean`/`purge`, or mounts a cache, tmpfs or bind mount '
                                    'on\n'
                                    '`/var/cache/apk` or `/etc/apk/cache`. `apk add --virtual .deps ...` '
                                    'with a\n'
                                    'later `apk del .deps` still leaves the index and is still flagged;\n'
                                    '`apk add --no-network` (the docker-library way to record run-time\n'
                                    'dependencies) downloads nothing and is not.\n',
                    'why-is-this-bad': 'The APKINDEX files are a few megabytes per repository that the '
                                       'running\n'
                                       'container never reads; every image built this way ships them.\n'},
           'fix': 'sometimes',
           'message': 'apk add without --no-cache leaves its index in /var/cache/apk; add --no-cache.',
           'name': 'apk-cache-left',
           'severity': 'warning',
           'summary': '`apk add` or `apk update` leaves the index cache in the image layer.'},
 'DH304': {'aliases': ['DL3032', 'DL3040', 'DL3036'],
           'code': 'DH304',
           'docs': {'example': '```dockerfile\n'
                               'FROM registry.access.redhat.com/ubi9/ubi:9.5\n'
                               'RUN dnf install -y python3\n'
                               '```\n',
                    'fix-safety': 'Safe: appends `dnf clean all` (`yum clean all`, `microdnf clean all`,\n'
                                  '`tdnf clean all`: one for each tool whose cache is left) and/or\n'
                                  '`zypper clean --all` at the end of the `RUN`, placed as DH301 places its\n'
                                  'cleanup. dnf, yum and microdnf download fresh metadata when a later\n'
                                  'install needs it. No fix when the install uses `--installroot`/`--root`\n'
                                  "(the cache to clean is elsewhere), or when zypper's cache is cleaned and "
                                  'a\n'
                                  'later `RUN` installs with zypper without `zypper refresh`.\n',
                    'options': 'None.\n',
                    'use-instead': '```dockerfile\n'
                                   'FROM registry.access.redhat.com/ubi9/ubi:9.5\n'
                                   'RUN dnf install -y python3 && dnf clean all\n'
                                   '```\n',
                    'what-it-does': 'Flags, in a shipped stage, `yum`, `dnf` (`dnf4`, `dnf5`), `microdnf` '
                                    'and\n'
                                    '`tdnf` commands that download into their cache — `install` (`in`,\n'
                                    '`install-n`, `install-na`, `install-nevra`, `localinstall`), '
                                    '`reinstall`\n'
                                    '(`rei`), `upgrade` (`up`, `update`, `update-to`), `upgrade-minimal`\n'
                                    '(`up-min`, `update-minimal`), `downgrade` (`dg`), `distro-sync`\n'
                                    '(`dsync`), `makecache` (`mc`), `builddep`, `swap`, '
                                    '`groupinstall`/`group\n'
                                    'install`, `module install` — and `zypper install`/`in`, `update`/`up`,\n'
                                    '`dist-upgrade`/`dup`, `patch`, `source-install`/`si`, `refresh`/`ref`,\n'
                                    "`install-new-recommends`/`inr`, without a clean of that tool's cache "
                                    'after\n'
                                    "them in the same `RUN`. Aliases are each tool's own (dnf(8), "
                                    'microdnf(8),\n'
                                    'tdnf(8), zypper(8)).\n'
                                    '\n'
                                    'A `clean` counts only for the cache it empties: `dnf clean all` (or\n'
                                    "`clean metadata`) empties dnf's cache and yum's (`yum` is `dnf` on RHEL "
                                    '8\n'
                                    "and later), but not microdnf's or tdnf's, and `microdnf clean all` "
                                    'leaves\n'
                                    "dnf's; `dnf clean packages` keeps the metadata. `zypper clean`/`cc` "
                                    'counts\n'
                                    'only with `--all`/`-a` (or both `-m` and `-M`): without them it drops '
                                    'the\n'
                                    'downloaded packages and keeps the repository metadata. Removing the '
                                    "tool's\n"
                                    'own cache directory also counts: `/var/cache/dnf` or '
                                    '`/var/cache/libdnf5`\n'
                                    'for dnf, `/var/cache/yum` or `/var/cache/dnf` for yum, '
                                    '`/var/cache/yum`\n'
                                    'for microdnf, `/var/cache/tdnf` for tdnf, `/var/cache/zypp` for '
                                    'zypper,\n'
                                    'as does a cache, tmpfs or bind mount on it (or on `/var/cache`).\n',
                    'why-is-this-bad': 'Repository metadata and downloaded packages are often over a '
                                       'hundred\n'
                                       'megabytes, none of which the running container needs. A `clean` in '
                                       'a\n'
                                       'later `RUN` does not shrink the image.\n'},
           'fix': 'sometimes',
           'message': 'The install leaves its package cache in the layer; end the RUN with `dnf clean all`.',
           'name': 'rpm-cache-left',
           'severity': 'warning',
           'summary': 'yum/dnf/microdnf/zypper installs leave their cache in the image layer.'},
 'DH305': {'aliases': ['DL3042'],
           'code': 'DH305',
           'docs': {'example': '```dockerfile\n'
                               'FROM python:3.12.7-slim\n'
                               'RUN pip install -r requirements.txt\n'
                               '```\n',
                    'fix-safety': 'Safe: inserts `--no-cache-dir` right after `install` (`--no-cache` for\n'
                                  '`uv pip install`); the same packages are installed. It works in any '
                                  'shell,\n'
                                  'so it is offered for PowerShell and cmd `RUN`s too, but not for '
                                  'exec-form\n'
                                  '`RUN ["pip", ...]` (the JSON would have to be rewritten), a word that\n'
                                  'cannot be mapped back to the source exactly (inside a double-quoted\n'
                                  '`sh -c "..."`), a script the shell reader is not sure of, or an install\n'
                                  'with `--cache-dir` (the later option would win).\n',
                    'options': 'None.\n',
                    'use-instead': '```dockerfile\n'
                                   'FROM python:3.12.7-slim\n'
                                   'RUN pip install --no-cache-dir -r requirements.txt\n'
                                   '```\n'
                                   'or, to keep the cache between builds without shipping it:\n'
                                   '```dockerfile\n'
                                   'RUN --mount=type=cache,target=/root/.cache/pip pip install -r '
                                   'requirements.txt\n'
                                   '```\n',
                    'what-it-does': 'Flags, in a shipped stage, `pip install` by any pip — `pip`, `pip3`,\n'
                                    '`pip3.11`, `/venv/bin/pip`, `python -m pip`, `python3.12 -m pip` — and\n'
                                    '`uv pip install`, when none of these holds:\n'
                                    '\n'
                                    '- `--no-cache-dir` is given (`--no-cache`/`-n` for uv);\n'
                                    '- `PIP_NO_CACHE_DIR` (`UV_NO_CACHE`) is set: by `ENV` in the stage or '
                                    'in a\n'
                                    '  stage it is built `FROM`, by an `ARG` with a value in the stage, by\n'
                                    '  `export` earlier in the `RUN`, or inline (`PIP_NO_CACHE_DIR=1 pip '
                                    'install`);\n'
                                    '- an earlier `RUN` set `no-cache-dir` with `pip config` or in a '
                                    '`pip.conf`;\n'
                                    '- a cache, tmpfs or bind mount covers the cache directory\n'
                                    '  (`/root/.cache/pip`, `/root/.cache`, `$PIP_CACHE_DIR`, the '
                                    '`--cache-dir`;\n'
                                    '  `/root/.cache/uv` for uv) — `--no-cache-dir` would be pointless '
                                    'there;\n'
                                    '- the `RUN` removes the cache afterwards (`rm -rf /root/.cache/pip`,\n'
                                    '  `rm -rf ~/.cache`, `pip cache purge`, `uv cache clean`).\n',
                    'why-is-this-bad': 'pip keeps every wheel it downloaded or built in `~/.cache/pip`. In '
                                       'an\n'
                                       'image that is dead weight — often as large as the installed '
                                       'packages.\n'},
           'fix': 'sometimes',
           'message': 'pip install keeps its wheel cache in the layer; add --no-cache-dir.',
           'name': 'pip-cache-left',
           'severity': 'warning',
           'summary': '`pip install` keeps its wheel cache in the image layer.'},
 'DH306': {'aliases': ['DL3060'],
           'code': 'DH306',
           'docs': {'example': '```dockerfile\nFROM node:22.11.0-bookworm-slim\nRUN npm ci --omit=dev\n```\n',
                    'fix-safety': 'Safe for npm and pnpm: appends `npm cache clean --force` or\n'
                                  '`pnpm store prune` at the end of the `RUN` (placed as DH301 places its\n'
                                  'cleanup); `pnpm store prune` only drops packages nothing links to.\n'
                                  'For yarn the appended `yarn cache clean` is safe only with yarn 1: with\n'
                                  "yarn 2+ (berry) it empties the cache that Plug'n'Play installs load "
                                  'their\n'
                                  'packages from, and the application fails at run time. The fix is safe '
                                  'when\n'
                                  'the `RUN` plainly uses yarn 1 (`yarn global add`, `--production`,\n'
                                  '`--pure-lockfile`, `--network-timeout`...) and the file shows no sign of\n'
                                  'berry (`corepack`, `.yarnrc.yml`, `yarn set version`, `--immutable`);\n'
                                  'otherwise it is unsafe. No fix when the install names its own cache\n'
                                  'directory, nor in the cases listed for DH301.\n',
                    'options': 'None.\n',
                    'use-instead': '```dockerfile\n'
                                   'FROM node:22.11.0-bookworm-slim\n'
                                   'RUN npm ci --omit=dev && npm cache clean --force\n'
                                   '```\n'
                                   'or\n'
                                   '```dockerfile\n'
                                   'RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev\n'
                                   '```\n',
                    'what-it-does': 'Flags, in a shipped stage, `npm install`/`ci` (and their aliases `i`,\n'
                                    '`add`, `clean-install`...), `yarn install`, `yarn add`, `yarn global '
                                    'add`\n'
                                    'and bare `yarn`, and `pnpm install`/`i`/`add`/`fetch`, unless the same\n'
                                    '`RUN` afterwards cleans the cache (`npm cache clean --force`,\n'
                                    '`yarn cache clean`, `pnpm store prune`, or `rm -rf` of the cache\n'
                                    "directory) or a cache/tmpfs mount covers it: `/root/.npm` (any home's\n"
                                    '`.npm`), `/usr/local/share/.cache/yarn`, `~/.cache/yarn`, a pnpm store\n'
                                    '(`/pnpm/store`, `~/.local/share/pnpm/store`), or the directory named '
                                    'by\n'
                                    '`npm_config_cache`, `YARN_CACHE_FOLDER`, `--cache`, `--cache-folder`,\n'
                                    '`--store-dir`.\n',
                    'why-is-this-bad': 'npm and yarn keep a copy of every tarball they downloaded; in an '
                                       'image\n'
                                       'that doubles the size of `node_modules` for nothing.\n'},
           'fix': 'sometimes',
           'message': 'The install leaves its package cache in the layer; clean it in the same RUN or use a '
                      'cache mount.',
           'name': 'node-cache-left',
           'severity': 'warning',
           'summary': 'npm, yarn or pnpm installs keep their package cache in the image layer.'},
 'DH307': {'aliases': [],
           'code': 'DH307',
           'docs': {'example': '```dockerfile\n'
                               'FROM python:3.12.7-slim\n'
                               'RUN apt-get update && apt-get install -y --no-install-recommends gcc '
                               'libpq-dev \\\n'
                               '    && pip install --no-cache-dir psycopg2 && rm -rf /var/lib/apt/lists/*\n'
                               '```\n',
                    'fix-safety': 'No fix: moving a build to its own stage is a rewrite (`dhard harden`),\n'
                                  'and removing the packages could remove what the application needs.\n',
                    'options': 'None.\n',
                    'use-instead': '```dockerfile\n'
                                   'FROM python:3.12.7-slim AS build\n'
                                   'RUN apt-get update && apt-get install -y --no-install-recommends gcc '
                                   'libpq-dev\n'
                                   'RUN pip wheel --wheel-dir /wheels psycopg2\n'
                                   '\n'
                                   'FROM python:3.12.7-slim\n'
                                   'COPY --from=build /wheels /wheels\n'
                                   'RUN pip install --no-cache-dir /wheels/*\n'
                                   '```\n'
                                   'or install and remove in one `RUN`\n'
                                   '(`apk add --virtual .build-deps gcc musl-dev && ... && apk del '
                                   '.build-deps`).\n',
                    'what-it-does': 'Flags a `RUN` in a shipped stage whose `apt-get`/`apt install`,\n'
                                    '`apk add`, `yum`/`dnf`/`microdnf install` or `zypper install` installs\n'
                                    'build tools — `gcc`, `g++`, `clang`, `make`, `cmake`, `ninja`,\n'
                                    '`build-essential`, `build-base`, `alpine-sdk`, `autoconf`, `automake`,\n'
                                    '`libtool`, versioned compilers (`gcc-12`), `*-dev`, `*-devel` and\n'
                                    '`*-headers` packages, and `git` — and does not remove them again in '
                                    'the\n'
                                    'same `RUN`. A package list in an `ARG` or `ENV` (`apt-get install -y\n'
                                    '$BUILD_DEPS`) is read with its value; a list in a shell variable is '
                                    'not. Removal counts when a later `apt-get purge`/`remove` names the\n'
                                    'package (or a variable list of packages), when everything is marked\n'
                                    "automatic (`apt-mark auto '.*'`) and then `apt-get purge "
                                    '--auto-remove`/\n'
                                    '`autoremove` runs (the docker-library pattern), when `apk add '
                                    '--virtual\n'
                                    '.deps ...` is followed by `apk del .deps`, or `dnf remove`/`zypper rm`\n'
                                    'names the package.\n',
                    'why-is-this-bad': 'A compiler and headers in a running container help an attacker '
                                       'build\n'
                                       'tools on the spot, add hundreds of megabytes and many CVEs to scan '
                                       'and\n'
                                       'patch. Removing them in a later `RUN` hides them but does not shrink '
                                       'the\n'
                                       'image.\n'},
           'fix': 'never',
           'message': 'Build tools are installed in a shipped stage; build in a builder stage and copy the '
                      'result.',
           'name': 'build-tools-in-final-image',
           'severity': 'warning',
           'summary': 'Compilers, headers or git are installed into the shipped image.'},
 'DH308': {'aliases': [],
           'code': 'DH308',
           'docs': {'example': '```dockerfile\n'
                               'FROM python:3.12.7-slim\n'
                               'COPY app /app\n'
                               'CMD ["python", "/app/main.py"]\n'
                               '```\n',
                    'fix-safety': 'No fix: changing the base image is a rewrite; `dhard harden` does it,\n'
                                  'checks that the application can run without a shell, and shows the '
                                  'diff.\n',
                    'options': '`images` (extra base-image knowledge) decides which bases have a package\n'
                               'manager.\n',
                    'use-instead': '```dockerfile\n'
                                   'FROM python:3.12.7-slim AS build\n'
                                   'COPY app /app\n'
                                   '\n'
                                   'FROM gcr.io/distroless/python3-debian12:nonroot\n'
                                   'COPY --from=build /app /app\n'
                                   'CMD ["/app/main.py"]\n'
                                   '```\n',
                    'what-it-does': "Reports once, on the final stage's `FROM`, when what dhard knows of "
                                    'the\n'
                                    "final stage's base image (through `FROM <stage>` to the first external\n"
                                    'image) says it has a package manager (apt, apk, dnf, microdnf, yum,\n'
                                    'zypper, tdnf), and no shipped `RUN` removes it (`apk del apk-tools`,\n'
                                    '`rm -rf /usr/bin/apt* ...`). An image dhard knows nothing about, '
                                    '`scratch`,\n'
                                    'distroless and other images without a package manager are never\n'
                                    'reported: unknown is not guessed.\n',
                    'why-is-this-bad': 'A package manager in a running container lets anyone who gets a '
                                       'shell\n'
                                       'install whatever they need, and its database and tools are more '
                                       'packages\n'
                                       'to patch. Runtime images rarely need one.\n'},
           'fix': 'never',
           'message': 'The final image keeps a package manager; `dhard harden` can move the result to a base '
                      'without one.',
           'name': 'package-manager-in-final-image',
           'severity': 'info',
           'summary': 'The shipped image keeps a package manager.'},
 'DH401': {'aliases': ['DL3006'],
           'code': 'DH401',
           'docs': {'example': '```dockerfile\n'
                               'FROM python\n'
                               'COPY --from=ghcr.io/astral-sh/uv /uv /bin/uv\n'
                               '```\n',
                    'fix-safety': 'Unsafe, and only when the `pins` option maps the reference to a pinned '
                                  'one:\n'
                                  'dhard never looks up tags or digests on the network by itself. A '
                                  'different\n'
                                  'image may behave differently.\n',
                    'options': '`pins` (mapping of image reference to pinned reference), used by the fix.\n',
                    'use-instead': '```dockerfile\n'
                                   'FROM python:3.12.7-slim-bookworm@sha256:<digest>\n'
                                   'COPY --from=ghcr.io/astral-sh/uv:0.4.29@sha256:<digest> /uv /bin/uv\n'
                                   '```\n',
                    'what-it-does': 'Flags external images used without a tag or digest: in `FROM`, in\n'
                                    '`COPY --from=<image>` and in `RUN --mount=...,from=<image>`. Stage '
                                    'names\n'
                                    'and `scratch` are not images and are never flagged. References built '
                                    'from\n'
                                    "ARGs are judged with the ARG's default value.\n",
                    'why-is-this-bad': 'No tag means `:latest`. Every build may pull a different image, so a '
                                       'build\n'
                                       'that passed yesterday can break (or silently change behaviour) '
                                       'today, and\n'
                                       'you cannot tell which base a running container was built from.\n'},
           'fix': 'sometimes',
           'message': 'Image has no tag; pin a version tag and a digest.',
           'name': 'untagged-image',
           'severity': 'warning',
           'summary': 'An image is used with neither a tag nor a digest.'},
 'DH402': {'aliases': ['DL3007'],
           'code': 'DH402',
           'docs': {'example': '```dockerfile\nFROM node:latest\n```\n',
                    'fix-safety': 'Unsafe, and only from the `pins` option; see DH401.\n',
                    'options': '`pins`.\n',
                    'use-instead': '```dockerfile\n'
                                   'FROM node:22.11.0-bookworm-slim@sha256:<digest>\n'
                                   '```\n'
                                   '\n'
                                   "A repository that publishes no version tags (distroless, Chainguard's\n"
                                   'free tier `cgr.dev/chainguard/*`) is pinned by digest alone: the '
                                   'message\n'
                                   'says so, and `dhard pin` writes `name:latest@sha256:...`.\n',
                    'what-it-does': 'Flags external images on `:latest` or a `latest-*` variant (such as\n'
                                    "Chainguard's `latest-dev`) without a digest.\n",
                    'why-is-this-bad': '`latest` moves with every release, across major versions. Builds are '
                                       'not\n'
                                       'reproducible and a new major version can break the application '
                                       'without any\n'
                                       'change to the Dockerfile.\n'},
           'fix': 'sometimes',
           'message': 'Image uses the latest tag; pin a version tag and a digest.',
           'name': 'latest-tag',
           'severity': 'warning',
           'summary': 'An image is used on its `latest` tag.'},
 'DH403': {'aliases': [],
           'code': 'DH403',
           'docs': {'example': '```dockerfile\nFROM python:3-slim\nFROM debian:bookworm\n```\n',
                    'fix-safety': 'Unsafe, and only from the `pins` option; see DH401.\n',
                    'options': '`pins`.\n',
                    'use-instead': '```dockerfile\n'
                                   'FROM python:3.12.7-slim-bookworm@sha256:<digest>\n'
                                   'FROM debian:12.8-slim@sha256:<digest>\n'
                                   '```\n',
                    'what-it-does': 'Flags tags that name only a major version (`python:3`, `node:22-slim`,\n'
                                    '`postgres:16`), a release channel (`lts`, `stable`, `current`, `edge`,\n'
                                    '`rolling`, `mainline`, distroless `nonroot`/`debug`), or a '
                                    'distribution\n'
                                    'codename (`debian:bookworm`, `ubuntu:noble`) — unless a digest pins '
                                    'them.\n',
                    'why-is-this-bad': 'These tags are re-pointed at every minor or point release. The image '
                                       'you\n'
                                       'test is not the image you ship next week, and a rebuild can change\n'
                                       'interpreter, libc or OpenSSL versions without a diff to review.\n'},
           'fix': 'sometimes',
           'message': 'Tag floats to new releases; pin a full version and a digest.',
           'name': 'floating-tag',
           'severity': 'warning',
           'summary': 'A tag that moves to new releases (major-only, channel or codename).'},
 'DH404': {'aliases': [],
           'code': 'DH404',
           'docs': {'example': '```dockerfile\nFROM python:3.12.7-slim\n```\n',
                    'fix-safety': 'Unsafe, and only from the `pins` option; see DH401.\n',
                    'options': '`pins`; `severity: {DH404: warning}` to make it fail runs.\n',
                    'use-instead': '```dockerfile\nFROM python:3.12.7-slim@sha256:<digest>\n```\n',
                    'what-it-does': 'Reports external images referenced without `@sha256:...`, even when '
                                    'the\n'
                                    'tag looks precise. Informational: it fails a run only when configured '
                                    'to.\n',
                    'why-is-this-bad': 'Tags are mutable: a registry can re-point `3.12.7-slim` at a rebuilt '
                                       'image\n'
                                       '(security patches, or a compromised account). Only a digest names '
                                       'exactly\n'
                                       'one image. Tools like Renovate and Dependabot keep digests '
                                       'current.\n'},
           'fix': 'sometimes',
           'message': 'Image is not pinned by digest.',
           'name': 'unpinned-digest',
           'severity': 'info',
           'summary': 'An external image is not pinned by digest.'},
 'DH405': {'aliases': ['DL3026'],
           'code': 'DH405',
           'docs': {'example': '```dockerfile\n'
                               '# trusted-registries = ["gcr.io/distroless", "docker.io/library"]\n'
                               'FROM someuser/python:3.12\n'
                               '```\n',
                    'fix-safety': 'No fix: only you can choose an image you trust.\n',
                    'options': '`trusted-registries` (list). Without it the rule checks nothing. Each\n'
                               'entry is a registry host (`gcr.io`, `registry.example.com:5000`: that host\n'
                               'exactly), a host and repository prefix (`docker.io/library`,\n'
                               "`gcr.io/distroless`), or one of the patterns hadolint's\n"
                               '`trustedRegistries` takes: `*` trusts every registry, and `*` opening the\n'
                               'host matches the hosts that end with the rest (`*.example.com`: the\n'
                               'subdomains of example.com, not example.com itself; `*example.com`: both).\n'
                               'Images without a registry are from `docker.io`. Any other `*` (`gc*.io`,\n'
                               '`docker.io/*`), a scheme (`https://`) or spaces make the config invalid:\n'
                               'dhard stops with a one-line error naming the entry.\n',
                    'use-instead': '```dockerfile\nFROM python:3.12.7-slim\n```\n',
                    'what-it-does': 'When `trusted-registries` is configured, flags images pulled from any '
                                    'other\n'
                                    'registry (Docker Hub counts as `docker.io`). Entries may name a '
                                    'registry\n'
                                    '(`gcr.io`) or a path prefix (`docker.io/library`, '
                                    '`gcr.io/distroless`).\n',
                    'why-is-this-bad': 'Images are code that runs in your build and in production. An '
                                       'allow-list\n'
                                       'keeps typo-squatted or unreviewed publishers out of the supply '
                                       'chain.\n'},
           'fix': 'never',
           'message': 'Image comes from a registry that is not trusted.',
           'name': 'untrusted-registry',
           'severity': 'warning',
           'summary': 'An image comes from a registry outside the allow-list.'},
 'DH501': {'aliases': [],
           'code': 'DH501',
           'docs': {'example': '```dockerfile\n'
                               'ADD https://example.com/tool-1.2.3-linux-amd64.tar.gz /tmp/tool.tgz\n'
                               'ADD https://github.com/org/repo.git#main /src\n'
                               '```\n',
                    'fix-safety': 'No fix: dhard never downloads anything to compute a checksum. Do not '
                                  'turn\n'
                                  '`ADD <url>` into `COPY` — COPY cannot fetch.\n',
                    'options': 'None.\n',
                    'use-instead': '```dockerfile\n'
                                   'ADD '
                                   '--checksum=sha256:24454f830cdd571e2c4ad2bbc95c2b6c11d4e2f0a0ad6b1e0eb0c4ce8b2a4a5c '
                                   '\\\n'
                                   '    https://example.com/tool-1.2.3-linux-amd64.tar.gz /tmp/tool.tgz\n'
                                   'ADD '
                                   'https://github.com/org/repo.git#4f2c9a1e6c1b0a7d8e9f0a1b2c3d4e5f6a7b8c9d '
                                   '/src\n'
                                   '```\n',
                    'what-it-does': 'Flags `ADD https://...` without `--checksum=sha256:...`, and `ADD` of a '
                                    'git\n'
                                    'repository whose ref is not a commit hash.\n',
                    'why-is-this-bad': 'Whatever the server returns goes into the image unchecked: a '
                                       'compromised\n'
                                       'host, a re-tagged release or a man in the middle changes your build\n'
                                       'silently. A checksum (or a commit hash) makes the input exact.\n'},
           'fix': 'never',
           'message': 'ADD downloads a URL without --checksum.',
           'name': 'add-url-without-checksum',
           'severity': 'warning',
           'summary': 'ADD downloads a URL without verifying its content.'},
 'DH502': {'aliases': ['DL3064'],
           'code': 'DH502',
           'docs': {'example': '```dockerfile\n'
                               'ARG NPM_TOKEN\n'
                               'RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci\n'
                               '```\n',
                    'fix-safety': 'No fix: moving a secret changes how the build is invoked.\n',
                    'options': 'Suppress a false alarm with `# dhard: ignore=DH502` above the instruction.\n',
                    'use-instead': '```dockerfile\n'
                                   'RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN \\\n'
                                   '    echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm '
                                   'ci && rm .npmrc\n'
                                   '```\n',
                    'what-it-does': 'Flags `ARG` and `ENV` whose name says credential (`*_PASSWORD`, '
                                    '`*_TOKEN`,\n'
                                    '`*_SECRET`, `API_KEY`, `AWS_SECRET_ACCESS_KEY`...) or whose value looks '
                                    'like\n'
                                    'one (AWS access keys, GitHub/GitLab/Slack/Stripe tokens, private '
                                    'keys).\n'
                                    'Names that hold a path or a public key (`*_FILE`, `*_PATH`, '
                                    '`GPG_KEYS`)\n'
                                    'are not flagged; an `ENV` whose value is empty or a `${VAR}` '
                                    'placeholder is\n'
                                    'not flagged either.\n',
                    'why-is-this-bad': '`ENV` values are part of the image config that anyone who can pull '
                                       'the\n'
                                       'image can read; `ARG` values used by a `RUN` are recorded in the '
                                       'build\n'
                                       'history (`docker history`). Both outlive the build.\n'},
           'fix': 'never',
           'message': 'ARG/ENV looks like a credential.',
           'name': 'secret-in-arg-or-env',
           'severity': 'error',
           'summary': 'An ARG or ENV looks like a credential.'},
 'DH900': {'aliases': [],
           'code': 'DH900',
           'docs': {'example': '```dockerfile\nFROM busybox\nENV PATH\n```\n',
                    'fix-safety': 'No fix: what the author meant cannot be known.\n',
                    'options': 'None. The finding cannot be suppressed with a pragma (the pragma could not\n'
                               'be read either), only with `--ignore DH900`.\n',
                    'use-instead': '```dockerfile\n'
                                   'FROM busybox\n'
                                   'ENV PATH=/usr/local/bin:/usr/bin:/bin\n'
                                   '```\n',
                    'what-it-does': "Reports a file that BuildKit's own parser rejects: an empty file or one "
                                    'with\n'
                                    'only comments, `ENV` without a value, a JSON array with non-string '
                                    'items,\n'
                                    'an unterminated heredoc, an invalid or repeated parser directive.\n',
                    'why-is-this-bad': 'The build fails before any step runs. No other rule can judge the '
                                       'file, so\n'
                                       'this is the only finding reported for it.\n'},
           'fix': 'never',
           'message': 'BuildKit cannot parse this file.',
           'name': 'parse-error',
           'severity': 'error',
           'summary': 'BuildKit cannot parse the file.'},
 'DH901': {'aliases': [],
           'code': 'DH901',
           'docs': {'example': '```dockerfile\n'
                               '# dhard: ignore=DH3O1\n'
                               'RUN apt-get update && apt-get install -y curl\n'
                               '```\n',
                    'fix-safety': 'No fix.\n',
                    'options': '`# hadolint ignore=` comments are not checked: they may name hadolint rules\n'
                               'dhard does not implement.\n',
                    'use-instead': '```dockerfile\n'
                                   '# dhard: ignore=DH301\n'
                                   'RUN apt-get update && apt-get install -y curl\n'
                                   '```\n',
                    'what-it-does': 'Checks `# dhard: ignore=...` and `# dhard: global ignore=...` comments '
                                    'for\n'
                                    'codes, hadolint aliases or names that no rule has.\n',
                    'why-is-this-bad': 'A typo in a suppression silently suppresses nothing, and the finding '
                                       'it was\n'
                                       'meant to silence shows up again, or the comment outlives its '
                                       'reason.\n'},
           'fix': 'never',
           'message': 'Suppression names an unknown rule.',
           'name': 'invalid-pragma',
           'severity': 'warning',
           'summary': 'A suppression comment names a rule that does not exist.'},
 'DH902': {'aliases': [],
           'code': 'DH902',
           'docs': {'example': '```dockerfile\n'
                               '# dhard: ignore=DH301\n'
                               'RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n'
                               '    && rm -rf /var/lib/apt/lists/*\n'
                               '```\n',
                    'fix-safety': 'No fix: delete the comment by hand once you agree it is stale.\n',
                    'options': "Only dhard's own pragmas are checked, never `# hadolint ignore=`.\n",
                    'use-instead': '```dockerfile\n'
                                   'RUN apt-get update && apt-get install -y --no-install-recommends curl '
                                   '\\\n'
                                   '    && rm -rf /var/lib/apt/lists/*\n'
                                   '```\n',
                    'what-it-does': 'Reports a `# dhard: ignore=...` comment whose rules raise nothing on '
                                    'the\n'
                                    'instruction it precedes (or, for `global ignore`, anywhere in the '
                                    'file).\n',
                    'why-is-this-bad': 'Stale suppressions hide future regressions: when the instruction '
                                       'changes\n'
                                       'again, the problem they once excused is silenced without review.\n'},
           'fix': 'never',
           'message': 'Suppression matches no finding.',
           'name': 'unused-suppression',
           'severity': 'info',
           'summary': 'A suppression comment matches no finding.'}}
