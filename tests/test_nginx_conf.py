"""hardener.analysis.nginx: the lossless nginx configuration parser and the non-root adapter.

The round trip is checked on the configuration files Debian's nginx package installs (read in
place; the corpus holds no nginx configuration) and on written samples. When nginx is installed each adapted sample must pass ``nginx -t`` run as
uid 65532 (skipped without nginx unless DHARD_REQUIRE_NGINX=1).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from growth import best_time, python_calls, three_sizes
from hardener.analysis.nginx import (
    Adapted,
    InMemoryFiles,
    Limits,
    Options,
    ParseError,
    Refusal,
    adapt,
    parse_config,
    parse_text,
    tokenize,
    walk,
)
from hardener.analysis.nginx.config import glob_match
from hardener.analysis.nginx.syntax import MAX_NESTING

ETC = "/etc/nginx"

# -- samples: the official image's files as they are laid out, and the shapes real configurations take

OFFICIAL_NGINX_CONF = """\
user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /var/run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    #tcp_nopush     on;

    keepalive_timeout  65;

    #gzip  on;

    include /etc/nginx/conf.d/*.conf;
}
"""

OFFICIAL_DEFAULT_CONF = """\
server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    #access_log  /var/log/nginx/host.access.log  main;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    #error_page  404              /404.html;

    # redirect server error pages to the static page /50x.html
    #
    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }

    # proxy the PHP scripts to Apache listening on 127.0.0.1:80
    #
    #location ~ \\.php$ {
    #    proxy_pass   http://127.0.0.1;
    #}

    # deny access to .htaccess files, if Apache's document root
    # concurs with nginx's one
    #
    #location ~ /\\.ht {
    #    deny  all;
    #}
}
"""

SPA_CONF = """\
# a static site built with npm: every unknown path is the app's
server {
  listen 80 default_server;
  root /usr/share/nginx/html;
  index index.html;

  location / {
    try_files $uri $uri/ /index.html;
  }

  location ~* \\.(js|css|png|svg|woff2?)$ {
    expires 30d;
    add_header Cache-Control "public, max-age=2592000, immutable";
  }

  gzip on;
  gzip_types text/plain text/css application/json application/javascript;
}
"""

PROXY_CONF = """\
upstream backend {
    server backend:8000 max_fails=3;
    keepalive 16;
}

map $http_upgrade $connection_upgrade {
    default   upgrade;
    ''        close;
}

map $uri $api_version {
    default                0;
    ~^/api/v1/             1;
    "~^/api/v(?<n>[0-9]{2})/"  $n;
    ~*^/LEGACY             legacy;
}

server {
    listen 80;
    listen [::]:80;
    server_name example.com www.example.com;

    if ($http_x_forwarded_proto = "http") {
        return 301 https://$host$request_uri;
    }

    location /api/ {
        proxy_pass http://backend;
        proxy_set_header Host $host;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_set_header X-Request "${request_id}-${msec}";
        proxy_temp_path /var/cache/nginx/api_temp 1 2;
    }

    location = /health { access_log off; return 200 'ok\\n'; }
}
"""

TLS_CONF = """\
server {
    listen 443 ssl http2;
    listen [::]:443 ssl http2 ipv6only=on;
    server_name secure.example;

    ssl_certificate     /etc/nginx/certs/site.crt;
    ssl_certificate_key certs/site.key;
    ssl_protocols TLSv1.2 TLSv1.3;
}

server {
    listen 80;
    return 301 https://$host$request_uri;
}
"""

QUOTES_CONF = """\
# quotes, escapes, comments where nginx allows them
http {
    log_format multi
        '$remote_addr'
        # a comment between arguments
        "$status";
    server {
        listen 127.0.0.1:80; # only the loopback
        server_name "two words" 'single \\'quoted\\'' back\\"slash a#b;
        add_header X-Tab "a\\tb" always ;
        set $name "${host}";
        location ~ "^/(?<x>[a-z]{3})$" { return 200 "$x\\n" ; }
    }
}
"""

CRLF_CONF = "events {}\r\nhttp {\r\n    server {\r\n        listen 80;\r\n        # crlf comment\r\n        root /srv;\r\n    }\r\n}\r\n"

STREAM_CONF = """\
events {}
stream {
    server {
        listen 53 udp reuseport;
        listen 853 ssl;
        proxy_pass 10.0.0.2:53;
    }
}
"""

UNPRIVILEGED_NGINX_CONF = """\
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /tmp/nginx.pid;

events {
    worker_connections  1024;
}

http {
    proxy_temp_path /tmp/proxy_temp;
    client_body_temp_path /tmp/client_temp;
    fastcgi_temp_path /tmp/fastcgi_temp;
    uwsgi_temp_path /tmp/uwsgi_temp;
    scgi_temp_path /tmp/scgi_temp;

    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;
    access_log  /var/log/nginx/access.log;
    include /etc/nginx/conf.d/*.conf;
}
"""

UNPRIVILEGED_DEFAULT_CONF = """\
server {
    listen       8080;
    server_name  localhost;
    location / {
        root   /usr/share/nginx/html;
    }
}
"""

SAMPLES = {
    "official nginx.conf": OFFICIAL_NGINX_CONF,
    "official conf.d/default.conf": OFFICIAL_DEFAULT_CONF,
    "spa conf.d": SPA_CONF,
    "proxy conf.d": PROXY_CONF,
    "tls conf.d": TLS_CONF,
    "quotes": QUOTES_CONF,
    "crlf": CRLF_CONF,
    "stream": STREAM_CONF,
    "unprivileged nginx.conf": UNPRIVILEGED_NGINX_CONF,
    "unprivileged default.conf": UNPRIVILEGED_DEFAULT_CONF,
    "empty": "",
    "no final newline": "events {}\nhttp { server { listen 80; } }",
    "not utf-8": "# caf\xe9 in latin-1 \udce9\nevents {}\n",
}

DEBIAN_FILES = [
    "nginx.conf", "sites-available/default", "mime.types", "fastcgi.conf", "fastcgi_params", "proxy_params",
    "scgi_params", "uwsgi_params", "koi-utf", "koi-win", "win-utf", "snippets/fastcgi-php.conf", "snippets/snakeoil.conf",
]


def assert_lossless(text: str, file: str = "t.conf"):
    """Tokens cover the text exactly; every directive's span, words and block lie where they say."""
    tokens = tokenize(text, file)
    assert "".join(text[t.start : t.end] for t in tokens) == text
    assert all(a.end == b.start for a, b in zip(tokens, tokens[1:]))
    stack, previous_end = [(parse_text(text, file), 0, len(text))], 0
    count = 0
    while stack:
        directives, low, high = stack.pop()
        previous_end = low
        for d in directives:
            count += 1
            assert low <= d.start and d.end <= high and d.start >= previous_end
            assert text.startswith(d.name.raw, d.start)
            assert all(text[w.start : w.end] == w.raw for w in (d.name, *d.args))
            assert text[d.end - 1] == ("}" if d.is_block else ";")
            previous_end = d.end
            if d.is_block:
                assert d.body is not None and text[d.body[0] - 1] == "{" and d.body[1] == d.end - 1
                stack.append((d.children or (), *d.body))
    return count


def official(extra: dict[str, str] | None = None, conf: str = OFFICIAL_NGINX_CONF, default: str = OFFICIAL_DEFAULT_CONF):
    files = {f"{ETC}/nginx.conf": conf, f"{ETC}/conf.d/default.conf": default, **(extra or {})}
    return parse_config(f"{ETC}/nginx.conf", InMemoryFiles(files), opaque=[f"{ETC}/mime.types"])


def conf_d(text: str, name: str = "default.conf", **options) -> Adapted | Refusal:
    path = f"{ETC}/conf.d/{name}"
    config = parse_config(path, InMemoryFiles({path: text}), context="http", conf_dir=ETC)
    return adapt(config, Options(**options))


def adapted_text(text: str, **options) -> str:
    result = conf_d(text, **options)
    assert isinstance(result, Adapted), result
    return result.changed.get(f"{ETC}/conf.d/default.conf", text)


def refusal(result) -> Refusal:
    assert isinstance(result, Refusal), result
    return result


# -- round trip ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_samples_round_trip(name):
    assert_lossless(SAMPLES[name])


def _debian(name: str) -> Path:
    return Path(ETC) / name


@pytest.mark.parametrize("name", DEBIAN_FILES)
def test_debian_package_configs_round_trip(name):
    path = _debian(name)
    if not path.is_file():
        if REQUIRE_NGINX:
            pytest.fail(f"DHARD_REQUIRE_NGINX is set but {path} is not installed", pytrace=False)
        pytest.skip(f"{path} is not installed (Debian's nginx package brings it)")
    data = path.read_bytes()  # read in place
    config = parse_config(str(path), InMemoryFiles({str(path): data}), context="main")
    assert config.files[str(path)].data() == data
    assert assert_lossless(config.files[str(path)].text, str(path)) > 0


def test_bytes_that_are_not_utf8_come_back_unchanged():
    data = b"# caf\xe9\r\nevents {}\r\nhttp { server { listen 80; } }\r\n"
    config = parse_config("/x/nginx.conf", InMemoryFiles({"/x/nginx.conf": data}), opaque=())
    assert config.files["/x/nginx.conf"].data() == data
    result = adapt(config, Options(temp_paths=(), stdio_logs=False))
    assert isinstance(result, Adapted)
    assert result.data("/x/nginx.conf") == b"# caf\xe9\r\npid /tmp/nginx.pid;\r\nevents {}\r\nhttp { server { listen 8080; } }\r\n"


# -- what nginx reads --------------------------------------------------------------------------


def directive(text: str, *path: str):
    """The first directive named ``path[-1]`` under blocks ``path[:-1]``."""
    directives, found = parse_text(text), None
    for name in path:
        found = next(d for d in directives if d.name.value == name)
        directives = found.children or ()
    assert found is not None
    return found


def test_quotes_and_escapes_give_nginx_values():
    names = directive(QUOTES_CONF, "http", "server", "server_name")
    assert names.values == ("two words", "single 'quoted'", 'back"slash', "a#b")
    assert directive(QUOTES_CONF, "http", "server", "add_header").values == ("X-Tab", "a\tb", "always")
    assert [w.quote for w in names.args] == ['"', "'", "", ""]


def test_variables_in_braces_are_text_not_blocks():
    d = directive(QUOTES_CONF, "http", "server", "set")
    assert d.values == ("$name", "${host}")
    plain = parse_text("return 200 ${scheme}://${host}/x;")
    assert plain[0].values == ("200", "${scheme}://${host}/x") and not plain[0].is_block


def test_location_regex_and_if_condition():
    spa = directive(SPA_CONF, "server", "location")
    assert spa.values == ("/",)
    regex = [d for d in parse_text(SPA_CONF)[0].children or () if d.name.value == "location"][1]
    assert regex.values == ("~*", "\\.(js|css|png|svg|woff2?)$") and regex.is_block
    condition = directive(PROXY_CONF, "server", "if")
    assert condition.values == ("($http_x_forwarded_proto", "=", "http", ")")


def test_map_with_regex_keys_is_data():
    maps = [d for d in parse_text(PROXY_CONF) if d.name.value == "map"]
    keys = [c.name.value for c in maps[1].children or ()]
    assert keys == ["default", "~^/api/v1/", "~^/api/v(?<n>[0-9]{2})/", "~*^/LEGACY"]
    config = parse_config("/c/p.conf", InMemoryFiles({"/c/p.conf": PROXY_CONF}), context="http")
    names = [v.directive.name.value for v in walk(config)]
    assert "~^/api/v1/" not in names and "default" not in names  # map entries are not directives
    assert "~^/api/v1/" in [v.directive.name.value for v in walk(config, into_data=True)]


def test_multi_line_directive_with_a_comment_between_arguments():
    d = directive(QUOTES_CONF, "http", "log_format")
    assert d.values == ("multi", "$remote_addr", "$status")
    assert d.line == 3 and d.args[-1].line == 6


def test_crlf_lines_are_counted_and_kept():
    d = directive(CRLF_CONF, "http", "server", "root")
    assert d.line == 6 and d.values == ("/srv",)
    assert_lossless(CRLF_CONF)


def test_a_word_after_a_closing_paren_and_quote():
    d = parse_text('if ($a ~ "x") { return 404; }')[0]
    assert d.values == ("($a", "~", "x", ")")


# -- errors name file:line -------------------------------------------------------------------

ERRORS = {
    "unbalanced open": ("http {\n  server {\n    listen 80;\n}\n", 5, 'expecting "}"'),
    "unbalanced close": ("events {}\n}\n", 2, 'unexpected "}"'),
    "missing ; before }": ("server {\n    listen 80\n}\n", 3, 'missing ";" after "listen"'),
    "missing ; at end": ("events {}\nworker_processes 2", 2, 'expecting ";" or "}"'),
    "unterminated double quote": ('events {}\nhttp {\n  add_header X "abc;\n}\n', 3, "unterminated \" quote"),
    "unterminated single quote": ("a 'b\n\n", 1, "unterminated ' quote"),
    "text after a quote": ('a "b"c;\n', 1, 'unexpected "c"'),
    "lone semicolon": ("events {}\n;\n", 2, 'unexpected ";"'),
    "block without a name": ("\n\n{ }\n", 3, 'unexpected "{"'),
    "backslash at the end": ("a b\\", 1, 'after "\\"'),
    "lua block": ("server {\n  location / {\n    content_by_lua_block {\n      ngx.say('hi')\n    }\n  }\n}\n", 3, "raw Lua"),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_name_file_and_line(name):
    text, line, words = ERRORS[name]
    with pytest.raises(ParseError) as caught:
        parse_text(text, "/etc/nginx/conf.d/site.conf")
    assert caught.value.file == "/etc/nginx/conf.d/site.conf" and caught.value.line == line, str(caught.value)
    assert str(caught.value).startswith(f"/etc/nginx/conf.d/site.conf:{line}: ")
    assert words in str(caught.value)


def test_error_in_an_included_file_names_that_file():
    files = {"/e/nginx.conf": "events {}\nhttp {\n  include conf.d/*.conf;\n}\n", "/e/conf.d/bad.conf": "server {\n  listen 80\n}\n"}
    with pytest.raises(ParseError, match=r"^/e/conf.d/bad.conf:3: "):
        parse_config("/e/nginx.conf", InMemoryFiles(files))


# -- includes --------------------------------------------------------------------------------


def test_includes_resolve_relative_to_the_conf_dir_in_sorted_glob_order():
    files = {
        "/e/nginx.conf": "http {\n  include mime.types;\n  include conf.d/*.conf;\n  include none.d/*.conf;\n}\n",
        "/e/mime.types": "types { text/html html; }\n",
        "/e/conf.d/b.conf": "server { listen 81; }\n",
        "/e/conf.d/a.conf": "server { listen 82; }\n",
        "/e/conf.d/.hidden.conf": "server { listen 83; }\n",
        "/e/conf.d/sub/c.conf": "server { listen 84; }\n",
    }
    config = parse_config("/e/nginx.conf", InMemoryFiles(files))
    assert not config.unresolved
    listens = [v.directive.values[0] for v in walk(config) if v.directive.name.value == "listen"]
    assert listens == ["82", "81"]
    servers = [v for v in walk(config) if v.directive.name.value == "server"]
    assert all(v.inside("http") for v in servers)


def test_unresolvable_includes_are_kept_not_guessed():
    files = {"/e/nginx.conf": "include /etc/nginx/nginx.conf;\ninclude $dir/x.conf;\ninclude a b;\n"}
    config = parse_config("/e/nginx.conf", InMemoryFiles(files))  # /etc/nginx/nginx.conf may exist here: not read
    assert [u.directive.line for u in config.unresolved] == [1, 2, 3]
    assert "not among the files" in config.unresolved[0].reason and "variable" in config.unresolved[1].reason


def test_only_the_callers_reader_is_asked():
    asked = []

    class Files:
        def read(self, path):
            asked.append(path)
            return "include /etc/passwd;\n" if path == "/e/nginx.conf" else None

        def glob(self, pattern):
            asked.append(pattern)
            return []

    config = parse_config("/e/nginx.conf", Files())
    assert asked == ["/e/nginx.conf", "/etc/passwd"] and config.unresolved


def test_opaque_files_resolve_without_being_read():
    config = official()
    assert (f"{ETC}/nginx.conf", OFFICIAL_NGINX_CONF.index("include")) in config.includes
    assert f"{ETC}/mime.types" not in config.files and not config.unresolved


@pytest.mark.parametrize(
    "files",
    [
        {"/l/nginx.conf": "include nginx.conf;\n"},
        {"/l/nginx.conf": "http { include a.conf; }\n", "/l/a.conf": "include b.conf;\n", "/l/b.conf": "include a.conf;\n"},
        {"/l/nginx.conf": "include *.conf;\n"},
    ],
    ids=["self", "a-b-a", "glob matches itself"],
)
def test_include_loops_are_errors(files):
    with pytest.raises(ParseError, match="include loop"):
        parse_config("/l/nginx.conf", InMemoryFiles(files))


def test_a_file_included_in_many_places_is_no_loop():
    files = {"/l/nginx.conf": "http { server { include p; } server { include p; } }\n", "/l/p": "listen 8080;\n"}
    config = parse_config("/l/nginx.conf", InMemoryFiles(files))
    assert sum(v.directive.name.value == "listen" for v in walk(config)) == 2


def test_include_depth_is_capped():
    files = {f"/d/{i}.conf": f"include {i + 1}.conf;\n" for i in range(40)}
    files["/d/40.conf"] = "events {}\n"
    with pytest.raises(ParseError, match="nest deeper than 16"):
        parse_config("/d/0.conf", InMemoryFiles(files))
    parse_config("/d/30.conf", InMemoryFiles(files))  # ten levels are fine


def test_total_size_is_capped():
    files = {"/s/nginx.conf": "include a;\ninclude b;\n", "/s/a": "# " + "x" * 600 + "\n", "/s/b": "# " + "y" * 600 + "\n"}
    with pytest.raises(ParseError, match="over 0 MB"):
        parse_config("/s/nginx.conf", InMemoryFiles(files), limits=Limits(total_bytes=1000))


def test_include_fan_out_is_capped():
    files = {f"/b/{i}": f"include {i + 1};\n" * 10 for i in range(8)}
    files["/b/8"] = "a 1;\n" * 10
    with pytest.raises(ParseError, match="expand to more than"):
        parse_config("/b/0", InMemoryFiles(files))  # 10**9 directives once expanded, from 8 small files


def test_glob_rules():
    assert glob_match("/e/conf.d/*.conf", "/e/conf.d/a.conf")
    assert not glob_match("/e/conf.d/*.conf", "/e/conf.d/x/a.conf")
    assert not glob_match("/e/conf.d/*.conf", "/e/conf.d/.a.conf")
    assert glob_match("/e/[ab]?.conf", "/e/b1.conf") and not glob_match("/e/[!ab]?.conf", "/e/b1.conf")


# -- the adapter -------------------------------------------------------------------------------

LISTEN_FORMS = {
    "80": "8080",
    "*:80": "*:8080",
    "127.0.0.1:80": "127.0.0.1:8080",
    "127.0.0.1": "127.0.0.1:8080",
    "localhost:80": "localhost:8080",
    "[::]:80": "[::]:8080",
    "[::]": "[::]:8080",
    "[::1]:443 ssl": "[::1]:8443 ssl",
    "80 default_server": "8080 default_server",
    "443 ssl http2": "8443 ssl http2",
    "[::]:443 ssl http2 ipv6only=on backlog=511": "[::]:8443 ssl http2 ipv6only=on backlog=511",
    '"80"': '"8080"',
    "unix:/tmp/nginx.sock": "unix:/tmp/nginx.sock",
    "8080": "8080",
    "127.0.0.1:9000 reuseport": "127.0.0.1:9000 reuseport",
}


@pytest.mark.parametrize("form", sorted(LISTEN_FORMS))
def test_listen_forms(form):
    text = f"server {{\n    listen {form};\n}}\n"
    assert adapted_text(text) == f"server {{\n    listen {LISTEN_FORMS[form]};\n}}\n"


def test_ports_are_reported_old_to_new():
    result = conf_d(TLS_CONF)
    assert isinstance(result, Adapted) and result.ports == {80: 8080, 443: 8443}
    assert "listen 443 -> 8443" in [c.message for c in result.changes]


def test_caller_port_map():
    assert adapted_text("server { listen 80; }\n", port_map={80: 3000}) == "server { listen 3000; }\n"
    assert "no new port" in refusal(conf_d("server { listen 81; }\n", port_map={80: 3000})).reason


def test_server_without_listen_gets_the_new_port_of_80():
    assert adapted_text("server {\n    server_name a;\n}\n") == "server {\n    listen 8080;\n    server_name a;\n}\n"
    assert adapted_text("server {}\n") == "server { listen 8080; }\n"
    assert adapted_text("server {\n}\n") == "server {\n    listen 8080;\n}\n"
    assert adapted_text("server {}\n", source_as_root=False) == "server {}\n"  # it listened on 8000 already


def test_a_listen_in_an_included_snippet_counts_for_its_server():
    files = {f"{ETC}/conf.d/a.conf": "server {\n    include snippets/listen.conf;\n}\n", f"{ETC}/snippets/listen.conf": "listen 80;\n"}
    config = parse_config(f"{ETC}/conf.d/a.conf", InMemoryFiles(files), context="http", conf_dir=ETC)
    result = adapt(config)
    assert isinstance(result, Adapted)
    assert result.changed == {f"{ETC}/snippets/listen.conf": "listen 8080;\n"}


def test_the_official_image_configuration():
    result = adapt(official())
    assert isinstance(result, Adapted), result
    assert result.ports == {80: 8080} and result.writable_dirs == ()
    conf = result.changed[f"{ETC}/nginx.conf"]
    expected = (
        OFFICIAL_NGINX_CONF.replace("user  nginx;\n", "")
        .replace("/var/log/nginx/error.log", "/dev/stderr")
        .replace("/var/run/nginx.pid", "/tmp/nginx.pid")
        .replace("/var/log/nginx/access.log", "/dev/stdout")
        .replace(
            "http {\n",
            "http {\n"
            "    client_body_temp_path /tmp/client_temp;\n"
            "    proxy_temp_path /tmp/proxy_temp;\n"
            "    fastcgi_temp_path /tmp/fastcgi_temp;\n"
            "    uwsgi_temp_path /tmp/uwsgi_temp;\n"
            "    scgi_temp_path /tmp/scgi_temp;\n",
        )
    )
    assert conf == expected
    assert result.changed[f"{ETC}/conf.d/default.conf"] == OFFICIAL_DEFAULT_CONF.replace(
        "listen       80;", "listen       8080;"
    ).replace("listen  [::]:80;", "listen  [::]:8080;")
    messages = [str(c) for c in result.changes]
    assert messages[0] == f"{ETC}/nginx.conf:1: removed `user nginx`: a non-root master cannot switch users"
    assert f"{ETC}/conf.d/default.conf:2: listen 80 -> 8080" in messages


def test_adapting_twice_changes_nothing_more():
    first = adapt(official())
    assert isinstance(first, Adapted)
    again = adapt(official(conf=first.changed[f"{ETC}/nginx.conf"], default=first.changed[f"{ETC}/conf.d/default.conf"]))
    assert isinstance(again, Adapted) and again.changed == {} and again.changes == () and again.ports == {}


def test_the_unprivileged_image_configuration_needs_nothing_but_its_log_links():
    result = adapt(official(conf=UNPRIVILEGED_NGINX_CONF, default=UNPRIVILEGED_DEFAULT_CONF))
    assert isinstance(result, Adapted)
    assert list(result.changed) == [f"{ETC}/nginx.conf"] and result.ports == {}
    assert [c.message.split(" (")[0] for c in result.changes] == [
        "error_log /var/log/nginx/error.log -> /dev/stderr",
        "access_log /var/log/nginx/access.log -> /dev/stdout",
    ]


def test_user_is_removed_with_its_line_or_alone():
    result = adapt(official(conf="user nginx;\nevents {}\n"), Options(temp_paths=(), stdio_logs=False))
    assert isinstance(result, Adapted) and result.changed[f"{ETC}/nginx.conf"] == "pid /tmp/nginx.pid;\nevents {}\n"
    result = adapt(official(conf="pid /tmp/nginx.pid;\nuser nginx nginx;  # who\nevents {}\n"), Options(temp_paths=(), stdio_logs=False))
    assert isinstance(result, Adapted) and result.changed[f"{ETC}/nginx.conf"] == "pid /tmp/nginx.pid;\n# who\nevents {}\n"


def test_pid_moves_is_added_or_kept():
    def main(text, **options):
        result = adapt(official(conf=text), Options(temp_paths=(), stdio_logs=False, **options))
        assert isinstance(result, Adapted), result
        return result.changed.get(f"{ETC}/nginx.conf", text)

    assert main("pid /run/nginx.pid;\nevents {}\n") == "pid /tmp/nginx.pid;\nevents {}\n"
    assert main("pid logs/nginx.pid;\n") == "pid /tmp/nginx.pid;\n"  # relative: under the prefix, root's
    assert main("pid /tmp/n.pid;\n") == "pid /tmp/n.pid;\n"
    assert main("# header\nevents {}\n") == "# header\npid /tmp/nginx.pid;\nevents {}\n"
    assert main("events {}\n", pid="/run/nginx/nginx.pid") == "pid /run/nginx/nginx.pid;\nevents {}\n"


def test_temp_paths_move_under_tmp():
    text = (
        "server {\n  listen 8080;\n  client_body_temp_path /var/cache/nginx/client_temp 1 2;\n"
        "  location /a { proxy_temp_path /var/cache/nginx/a; }\n  location /b { proxy_temp_path /srv/a 1; }\n"
        "  location /c { fastcgi_temp_path /tmp/mine; }\n  location /d { uwsgi_temp_path /var/cache/nginx/a; }\n}\n"
    )
    assert adapted_text(text) == (
        "server {\n  listen 8080;\n  client_body_temp_path /tmp/client_temp 1 2;\n"
        "  location /a { proxy_temp_path /tmp/a; }\n  location /b { proxy_temp_path /tmp/a_2 1; }\n"
        "  location /c { fastcgi_temp_path /tmp/mine; }\n  location /d { uwsgi_temp_path /tmp/a; }\n}\n"
    )


def test_a_moved_temp_path_never_shares_a_folder_with_an_added_one():
    default = "server {\n    listen 80;\n    location / { proxy_temp_path /var/cache/nginx/proxy_temp 1 2; }\n}\n"
    result = adapt(official(default=default))
    assert isinstance(result, Adapted)
    assert "proxy_temp_path /tmp/proxy_temp 1 2;" in result.changed[f"{ETC}/conf.d/default.conf"]
    assert "    proxy_temp_path /tmp/proxy_temp_2;\n" in result.changed[f"{ETC}/nginx.conf"]


def test_a_main_config_without_logs_gets_stdio():
    result = adapt(official(conf="events {}\nhttp {\n    server { listen 8080; }\n}\n"), Options(temp_paths=()))
    assert isinstance(result, Adapted)
    assert result.changed[f"{ETC}/nginx.conf"] == (
        "pid /tmp/nginx.pid;\nerror_log /dev/stderr;\nevents {}\nhttp {\n    access_log /dev/stdout;\n    server { listen 8080; }\n}\n"
    )


def test_logs():
    text = (
        "server {\n  listen 8080;\n  access_log /var/log/nginx/access.log main;\n  error_log /var/log/nginx/error.log warn;\n"
        "  access_log /var/log/nginx/api.log;\n  access_log off;\n  error_log stderr;\n  access_log syslog:server=unix:/dev/log;\n}\n"
    )
    result = conf_d(text)
    assert isinstance(result, Adapted)
    assert result.changed[f"{ETC}/conf.d/default.conf"] == text.replace("/var/log/nginx/access.log", "/dev/stdout").replace(
        "/var/log/nginx/error.log", "/dev/stderr"
    )
    assert result.writable_dirs == ("/var/log/nginx",)
    assert any("api.log kept" in c.message for c in result.changes)
    kept = conf_d(text, stdio_logs=False)
    assert isinstance(kept, Adapted) and kept.changed == {} and kept.writable_dirs == ("/var/log/nginx",)


def test_cache_paths_are_reported_as_folders_to_hand_over():
    result = conf_d("proxy_cache_path /var/cache/nginx/c keys_zone=c:1m;\nserver { listen 8080; }\n")
    assert isinstance(result, Adapted) and result.writable_dirs == ("/var/cache/nginx/c",) and result.changed == {}


def test_conf_d_files_get_no_main_level_additions():
    result = conf_d(SPA_CONF)
    assert isinstance(result, Adapted)
    assert result.changed[f"{ETC}/conf.d/default.conf"] == SPA_CONF.replace("listen 80 default_server", "listen 8080 default_server")
    assert len(result.changes) == 1


def test_crlf_files_get_crlf_lines():
    result = conf_d("server {\r\n    root /srv;\r\n}\r\n")
    assert isinstance(result, Adapted)
    assert result.changed[f"{ETC}/conf.d/default.conf"] == "server {\r\n    listen 8080;\r\n    root /srv;\r\n}\r\n"


def test_stream_servers():
    config = parse_config("/s/nginx.conf", InMemoryFiles({"/s/nginx.conf": STREAM_CONF}))
    result = adapt(config, Options(temp_paths=()))
    assert isinstance(result, Adapted) and result.ports == {53: 8053, 853: 8853}
    assert "listen 8053 udp reuseport;" in result.changed["/s/nginx.conf"]


REFUSALS = {
    "variable port": ("server {\n  listen ${NGINX_PORT};\n}\n", 2, "variable"),
    "variable address": ("server {\n  listen $addr:80;\n}\n", 2, "variable"),
    "unknown parameter": ("server {\n  listen 80 fancy;\n}\n", 2, "'fancy'"),
    "variable parameter": ("server {\n  listen 80 backlog=$b;\n}\n", 2, "backlog=$b"),
    "not a port": ("server {\n  listen 99999;\n}\n", 2, "not a port"),
    "not an address": ("server {\n  listen a_b:80;\n}\n", 2, "not an address"),
    "collision": ("server { listen 80; }\nserver {\n  listen 8080;\n}\n", 1, "8080, which /etc/nginx/conf.d/default.conf:3"),
    "collision with a default": ("server { server_name a; }\nserver { listen 8080; }\n", 1, "already listens"),
    "user in conf.d": ("user nginx;\nserver { listen 8080; }\n", 1, "only allowed at the top"),
    "pid in conf.d": ("pid /tmp/x.pid;\n", 1, "only allowed at the top"),
    "load_module": ("load_module modules/ngx_http_geoip_module.so;\n", 1, "modules differ"),
    "listen outside a server": ("listen 80;\n", 1, "outside"),
    "include not given": ("server {\n  listen 8080;\n  include snippets/ssl.conf;\n}\n", 3, "not among the files"),
    "certificate with a variable": ("server { listen 8443 ssl; ssl_certificate /c/$ssl_server_name.crt; }\n", 1, "variable"),
    "log with a variable": ("server { listen 8080; access_log /var/log/nginx/$host.log; }\n", 1, "variable"),
    "temp path with a variable": ("server { listen 8080; proxy_temp_path $t; }\n", 1, "variable"),
}


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_refusals_name_file_and_line(name):
    text, line, words = REFUSALS[name]
    refused = refusal(conf_d(text))
    assert refused.file == f"{ETC}/conf.d/default.conf" and refused.line == line, refused
    assert words in refused.reason and str(refused).startswith(f"{ETC}/conf.d/default.conf:{line}: ")


def test_absent_certificates_are_refused():
    missing = frozenset({f"{ETC}/certs/site.key"})
    refused = refusal(conf_d(TLS_CONF, missing_files=missing))
    assert refused.line == 7 and f"{ETC}/certs/site.key is not in the image" in refused.reason  # relative to the conf dir
    assert isinstance(conf_d(TLS_CONF, missing_files=frozenset({"/other.crt"})), Adapted)


def test_a_port_map_that_merges_two_ports_is_refused():
    refused = refusal(conf_d("server { listen 80; }\nserver { listen 81; }\n", port_map={80: 9000, 81: 9000}))
    assert "both move to 9000" in refused.reason


def test_collisions_are_judged_across_the_files_given_together():
    a = parse_config(f"{ETC}/conf.d/a.conf", InMemoryFiles({f"{ETC}/conf.d/a.conf": "server { listen 80; }\n"}), context="http")
    b = parse_config(f"{ETC}/conf.d/b.conf", InMemoryFiles({f"{ETC}/conf.d/b.conf": "server { listen 8080; }\n"}), context="http")
    assert isinstance(adapt(a), Adapted) and isinstance(adapt(b), Adapted)
    assert "already listens" in refusal(adapt([a, b])).reason


def test_the_same_files_given_twice_are_adapted_once():
    config = official()
    default = parse_config(f"{ETC}/conf.d/default.conf", InMemoryFiles({f"{ETC}/conf.d/default.conf": OFFICIAL_DEFAULT_CONF}), context="http")
    result = adapt([config, default])
    assert isinstance(result, Adapted) and "8080;\n    listen  [::]:8080;" in result.changed[f"{ETC}/conf.d/default.conf"]


def test_mail_is_refused():
    config = parse_config("/m/nginx.conf", InMemoryFiles({"/m/nginx.conf": "mail {\n  server { listen 25; }\n}\n"}))
    assert "mail" in refusal(adapt(config)).reason


def test_lua_never_reaches_the_adapter():
    files = {f"{ETC}/conf.d/lua.conf": "server {\n  listen 80;\n  location / {\n    access_by_lua_block { return }\n  }\n}\n"}
    with pytest.raises(ParseError, match=r"lua.conf:4: \"access_by_lua_block\" holds raw Lua"):
        parse_config(f"{ETC}/conf.d/lua.conf", InMemoryFiles(files), context="http")


@pytest.mark.parametrize("name", ["quotes", "proxy conf.d", "crlf", "tls conf.d"])
def test_every_prefix_parses_and_adapts_or_is_a_parse_error(name):
    """Cut anywhere, a file is read or refused with a ParseError, and what reads adapts or refuses: no traceback."""
    text = SAMPLES[name]
    path = f"{ETC}/conf.d/default.conf"
    for end in range(len(text) + 1):
        try:
            config = parse_config(path, InMemoryFiles({path: text[:end]}), context="http", conf_dir=ETC)
        except ParseError as error:
            assert error.file == path and error.line >= 1
            continue
        assert isinstance(adapt(config), (Adapted, Refusal))


# -- hostile input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, words",
    [
        ("a {" * 10_000, f"nested deeper than {MAX_NESTING}"),
        ("a {" * 10_000 + "}" * 10_000, f"nested deeper than {MAX_NESTING}"),
        ("{" * 10_000, 'unexpected "{"'),
        ("}" * 10_000, 'unexpected "}"'),
        ('"' * 10_001, "after a quoted string"),
    ],
    ids=["open", "balanced", "bare open", "bare close", "quotes"],
)
def test_deep_nesting_is_an_error_not_a_recursion_error(text, words):
    with pytest.raises(ParseError, match=words.replace("{", r"\{")):
        parse_text(text, "deep.conf")


def test_nesting_up_to_the_cap_walks_without_recursion():
    depth = MAX_NESTING
    text = "a {" * depth + "b 1;" + "}" * depth
    config = parse_config("/n.conf", InMemoryFiles({"/n.conf": text}))
    assert sum(1 for _ in walk(config)) == depth + 1


BLOCK = (
    "server {\n    listen 80;\n    server_name a.example 'b c' \"d\\\"e\";  # names\n"
    "    location ~* \\.(js|css)$ { expires 1d; }\n    set $x \"${host}\";\n}\n"
)


GROWTH = {
    "servers": lambda n: BLOCK * n,
    "one long directive": lambda n: "server_name" + " a" * (20 * n) + ";\n",
    "comments": lambda n: "# c\n" * (20 * n),
    "nested locations": lambda n: "server { listen 8080; " + "location /a { return 200; } " * n + "}\n",
    "includes of one snippet": lambda n: "server {\n" + "    include /g.conf.d/x;\n" * n + "}\n",
}


@pytest.mark.parametrize("name", sorted(GROWTH))
def test_cost_grows_linearly(name):
    def calls(n):
        files = InMemoryFiles({"/g.conf": GROWTH[name](n), "/g.conf.d/x": "add_header X y;\n"})
        return python_calls(lambda: adapt(parse_config("/g.conf", files, context="http")))

    small, large = calls(250), calls(1000)
    assert large / small < 4 * 1.6, (small, large)  # quadratic would be ~16


TOKENIZER_WORST = {  # the tokenizer's regex on inputs that make backtracking regexes go quadratic
    "unterminated quote": lambda n: '"' + "a\\\"" * n,
    "escaped backslashes": lambda n: "a" + "\\\\" * n + ";",
    "dollar braces": lambda n: "a " + "${" * n + ";",
    "a long comment": lambda n: "#" + "x" * n,
    "spaces": lambda n: "a" + " \t\r\n" * n + ";",
}


@pytest.mark.parametrize("name", sorted(TOKENIZER_WORST))
def test_tokenizer_on_its_worst_inputs_grows_linearly(name):
    make = TOKENIZER_WORST[name]
    n = 4000
    # from 20 ms on: below it the regex engine's backtracking stack still fits the CPU's caches, and leaving
    # them is a one-time step of up to 4x, not growth
    while best_time(tokenize, make(n), expected=(ParseError,)) < 0.02 and n < 4_000_000:
        n *= 4
    small, large, larger = three_sizes(tokenize, make, n, expected=(ParseError,))
    assert min(large / small, larger / large) < 10, (n, small, large, larger)


def test_a_five_megabyte_file_parses():
    text = "http {\n" + BLOCK * (5_000_000 // len(BLOCK)) + "}\n"
    assert len(text) > 4_900_000
    config = parse_config("/big.conf", InMemoryFiles({"/big.conf": text}))
    assert len(config.files["/big.conf"].directives[0].children or ()) == 5_000_000 // len(BLOCK)


# -- nginx -t on the adapted samples, as a non-root user ---------------------------------------

NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)
REQUIRE_NGINX = os.environ.get("DHARD_REQUIRE_NGINX", "") not in ("", "0")
UID = 65532  # Chainguard's and DHI's nginx user
MIME = "types {\n    text/html html;\n    text/css css;\n    application/javascript js;\n}\n"

NGINX_T_SAMPLES = {
    "official": (OFFICIAL_NGINX_CONF, {"conf.d/default.conf": OFFICIAL_DEFAULT_CONF}),
    "official with a spa": (OFFICIAL_NGINX_CONF, {"conf.d/default.conf": SPA_CONF}),
    "official with a proxy": (OFFICIAL_NGINX_CONF, {"conf.d/default.conf": PROXY_CONF.replace("backend:8000", "127.0.0.1:8000")}),
    "unprivileged": (UNPRIVILEGED_NGINX_CONF, {"conf.d/default.conf": UNPRIVILEGED_DEFAULT_CONF}),
    "quotes": ("events {}\n" + QUOTES_CONF, {}),
    "crlf": (CRLF_CONF, {}),
    "no listen": ("events {}\nhttp {\n    server {\n        root /srv;\n    }\n}\n", {}),
}


@pytest.fixture
def nginx():
    if NGINX is None:
        if REQUIRE_NGINX:
            pytest.fail("DHARD_REQUIRE_NGINX is set but nginx is not installed", pytrace=False)
        pytest.skip("nginx is not installed (apt-get install nginx)")
    if os.geteuid() != 0 and not REQUIRE_NGINX:
        pytest.skip("nginx -t runs as uid 65532 through setpriv, which needs root")
    return NGINX


def _as_nginx_user(argv: list[str], folder: str):
    out = Path(folder, "nginx-t.out")
    out.touch()
    os.chown(out, UID, UID)  # the user must be able to reopen its own stderr as /dev/stderr
    with out.open("r+") as sink:
        proc = subprocess.run(
            ["setpriv", f"--reuid={UID}", f"--regid={UID}", "--clear-groups", *argv],
            stdout=sink, stderr=sink, stdin=subprocess.DEVNULL, timeout=30,
        )
    return proc.returncode, out.read_text()


def _lay_out(folder: str, conf: str, extra: dict[str, str]) -> dict[str, str]:
    """The sample's files with /etc/nginx moved to ``folder``, as the adapter will see them."""
    files = {f"{folder}/nginx.conf": conf.replace(ETC, folder)}
    files.update({f"{folder}/{name}": text.replace(ETC, folder) for name, text in extra.items()})
    return files


def _write(files: dict[str, str], folder: str):
    for path, text in files.items():
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(text.encode("utf-8", "surrogateescape"))
    for root, dirs, names in os.walk(folder):
        for name in dirs + names:
            os.chown(os.path.join(root, name), UID, UID)


@pytest.mark.parametrize("name", sorted(NGINX_T_SAMPLES))
def test_adapted_samples_pass_nginx_t_as_a_non_root_user(nginx, name):
    conf, extra = NGINX_T_SAMPLES[name]
    folder = tempfile.mkdtemp(prefix="dhard-nginx-t-", dir="/tmp")  # pytest's tmp_path is root's alone
    try:
        os.chmod(folder, 0o755)
        os.chown(folder, UID, UID)
        files = _lay_out(folder, conf, extra)
        config = parse_config(f"{folder}/nginx.conf", InMemoryFiles(files), opaque=[f"{folder}/mime.types"])
        options = Options(pid=f"{folder}/nginx.pid", temp_dir=folder, writable=(folder,))
        result = adapt(config, options)
        assert isinstance(result, Adapted), result
        _write({**files, **result.changed, f"{folder}/mime.types": MIME}, folder)
        code, output = _as_nginx_user([nginx, "-t", "-p", folder, "-c", f"{folder}/nginx.conf"], folder)
        assert code == 0 and "test is successful" in output, output
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_the_original_official_configuration_fails_nginx_t_as_non_root(nginx):
    """The check above means something: unadapted, a non-root nginx refuses the same files."""
    folder = tempfile.mkdtemp(prefix="dhard-nginx-t-", dir="/tmp")
    try:
        os.chmod(folder, 0o755)
        files = _lay_out(folder, OFFICIAL_NGINX_CONF.replace("/var/run/nginx.pid", f"{folder}/nginx.pid"), {
            "conf.d/default.conf": OFFICIAL_DEFAULT_CONF,
        })
        _write({**files, f"{folder}/mime.types": MIME}, folder)
        code, output = _as_nginx_user([nginx, "-t", "-p", folder, "-c", f"{folder}/nginx.conf"], folder)
        assert code != 0 and ("Permission denied" in output), output
    finally:
        shutil.rmtree(folder, ignore_errors=True)
