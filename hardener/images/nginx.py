"""What dhard knows about nginx images: the ones builds start from, and the non-root ones it moves them to.

A source image's configuration is what its master reads when the Dockerfile
leaves a file alone: ``SOURCES[key].files`` holds dhard's own statement of
those files, directive for directive (the official image's ``nginx.conf`` and
``conf.d/default.conf``; nginx-unprivileged's, which differ in the pid, the
temp paths and the port). A target's layout is what the rewrite must write
around: where nginx is, who it runs as, which files its ``/etc/nginx`` already
holds (an include pattern of the kept configuration may match them) and which
ones a configuration may include without dhard reading them. The sources of
each fact are in ``e2e/NOTES.md``, "nginx images".
"""

from __future__ import annotations

from ..record import dataclass

CONF_DIR = "/etc/nginx"
MAIN_CONF = "/etc/nginx/nginx.conf"
HTML_DIR = "/usr/share/nginx/html"
# files every nginx package puts in /etc/nginx, which a configuration includes without dhard reading them
PACKAGE_FILES = tuple(f"{CONF_DIR}/{name}" for name in (
    "mime.types", "fastcgi_params", "fastcgi.conf", "scgi_params", "uwsgi_params", "koi-utf", "koi-win", "win-utf",
))

_LOG_FORMAT_MAIN = (
    "    log_format  main  '$remote_addr - $remote_user [$time_local] \"$request\" '\n"
    "                      '$status $body_bytes_sent \"$http_referer\" '\n"
    "                      '\"$http_user_agent\" \"$http_x_forwarded_for\"';\n"
)


def _main_conf(user: str, pid: str, http_extra: str = "") -> str:
    return (
        f"{user}"
        "worker_processes  auto;\n"
        "\n"
        "error_log  /var/log/nginx/error.log notice;\n"
        f"pid        {pid};\n"
        "\n"
        "events {\n"
        "    worker_connections  1024;\n"
        "}\n"
        "\n"
        "http {\n"
        f"{http_extra}"
        "    include       /etc/nginx/mime.types;\n"
        "    default_type  application/octet-stream;\n"
        "\n"
        f"{_LOG_FORMAT_MAIN}"
        "\n"
        "    access_log  /var/log/nginx/access.log  main;\n"
        "\n"
        "    sendfile        on;\n"
        "    keepalive_timeout  65;\n"
        "\n"
        "    include /etc/nginx/conf.d/*.conf;\n"
        "}\n"
    )


def _default_server(port: int) -> str:
    return (
        "server {\n"
        f"    listen       {port};\n"
        "    server_name  localhost;\n"
        "\n"
        "    location / {\n"
        f"        root   {HTML_DIR};\n"
        "        index  index.html index.htm;\n"
        "    }\n"
        "\n"
        "    error_page   500 502 503 504  /50x.html;\n"
        "    location = /50x.html {\n"
        f"        root   {HTML_DIR};\n"
        "    }\n"
        "}\n"
    )


_UNPRIVILEGED_TEMP = "".join(
    f"    {name}_temp_path /tmp/{folder};\n"
    for name, folder in (("client_body", "client_temp"), ("proxy", "proxy_temp"), ("fastcgi", "fastcgi_temp"),
                         ("uwsgi", "uwsgi_temp"), ("scgi", "scgi_temp"))
)


@dataclass(frozen=True)
class Source:
    """An nginx image a build starts from."""

    key: str  # images.yaml's entry
    as_root: bool  # the master runs as root (a server without listen is on 80)
    files: dict  # path -> the text of the configuration files the image ships
    entrypoint_dirs: tuple[str, ...]  # what its entrypoint script reads at start (templates, scripts)


SOURCES = {
    "nginx": Source(
        "nginx", True,
        {MAIN_CONF: _main_conf("user  nginx;\n", "/var/run/nginx.pid"), f"{CONF_DIR}/conf.d/default.conf": _default_server(80)},
        ("/docker-entrypoint.d", f"{CONF_DIR}/templates"),
    ),
    "nginx-unprivileged": Source(
        "nginx-unprivileged", False,
        {MAIN_CONF: _main_conf("", "/tmp/nginx.pid", _UNPRIVILEGED_TEMP),
         f"{CONF_DIR}/conf.d/default.conf": _default_server(8080)},
        ("/docker-entrypoint.d", f"{CONF_DIR}/templates"),
    ),
}


@dataclass(frozen=True)
class Target:
    """A shell-less, non-root nginx image the rewrite ships on (its reference: images.yaml's counterparts)."""

    family: str
    uid: int
    binary: str
    conf_files: tuple[str, ...]  # configuration files it holds besides nginx.conf (an include may match them)
    writable: tuple[str, ...]  # folders its user can write
    html: bool  # it has HTML_DIR


TARGETS = {
    "chainguard": Target(
        "chainguard", 65532, "/usr/sbin/nginx",
        (f"{CONF_DIR}/conf.d/default.conf",), ("/tmp", "/var/lib/nginx/tmp", "/var/run"), True,
    ),
    "dhi": Target(
        "dhi", 65532, "/usr/sbin/nginx",
        (f"{CONF_DIR}/conf.d/default.conf",), ("/tmp", "/var/cache/nginx", "/var/run"), True,
    ),
}
# why a target family with no entry in TARGETS has no nginx to ship on (the default: it publishes none)
NO_TARGET = {
    "ubuntu": "Ubuntu's nginx rock keeps a shell (dash) and runs as root, and is published on its edge channel only",
}
# the command the rewrite writes: the main file named, start-up errors to stderr, in the foreground
COMMAND = ("-c", MAIN_CONF, "-e", "/dev/stderr", "-g", "daemon off;")
