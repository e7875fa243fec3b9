"""What a compiled program reads from its source tree at run time (hardener/analysis/reads.py), and how
the rewrite copies it next to the program."""

from __future__ import annotations

import pytest

from hardener.analysis import reads
from hardener.rewrite import Success, harden


def _scan(tmp_path, source: str, env=None):
    (tmp_path / "main.go").write_text(source)
    return [(r.line, r.path) for r in reads.scan(tmp_path, ["main.go"], env=env or (lambda name: None))]


@pytest.mark.parametrize("call, path", [
    ('template.ParseGlob("templates/*.html")', "templates"),
    ('r.LoadHTMLGlob("web/views/**/*")', "web/views"),
    ('http.FileServer(http.Dir("./static"))', "./static"),
    ('os.ReadFile("config.yaml")', "config.yaml"),
    ('ioutil.ReadFile(filepath.Join("conf", "app.json"))', "conf/app.json"),
    ('http.ServeFile(w, r, "public/index.html")', "public/index.html"),
    ('e.Static("/assets", "assets")', "assets"),
    ('template.ParseGlob("*.tmpl")', "*.tmpl"),
])
def test_reads_by_path_are_found(tmp_path, call, path):
    assert _scan(tmp_path, f"package main\n\nfunc main() {{\n\t_ = {call}\n}}\n") == [(4, path)]


def test_every_file_of_parse_files_is_read(tmp_path):
    found = _scan(tmp_path, 'package main\nvar t = template.Must(template.ParseFiles("a.html", "layout/b.html"))\n')
    assert found == [(2, "a.html"), (2, "layout/b.html")]


def test_a_path_it_cannot_work_out_is_unknown(tmp_path):
    assert _scan(tmp_path, 'package main\nfunc load(name string) { os.ReadFile(name + os.Args[1]) }\n') == [(2, None)]
    assert _scan(tmp_path, 'package main\nvar t = template.ParseFiles(files...)\n') == [(2, None)]


def test_names_bound_once_and_the_environment_are_followed(tmp_path):
    source = 'package main\nconst dir = "views"\nvar t = template.ParseGlob(dir + "/*.html")\n'
    assert _scan(tmp_path, source) == [(3, "views")]
    env = {"DATA": "/data"}.get
    assert _scan(tmp_path, 'package main\nvar b, _ = os.ReadFile(os.Getenv("DATA") + "/seed.json")\n', env) == \
        [(2, "/data/seed.json")]


def test_embedded_files_and_comments_are_not_reads(tmp_path):
    source = ('package main\n//go:embed templates\nvar files embed.FS\n'
              'var t = template.Must(template.ParseFS(files, "templates/*.html"))\n'
              '// os.ReadFile("notes.txt")\n')
    assert _scan(tmp_path, source) == []


GO_DOCKERFILE = """\
FROM golang:1.19
WORKDIR /srv
COPY . .
RUN CGO_ENABLED=0 go build -o /usr/local/bin/server .
CMD ["server"]
"""


def _harden_go(tmp_path, main: str) -> Success:
    (tmp_path / "go.mod").write_text("module example.com/x\n\ngo 1.19\n")
    (tmp_path / "main.go").write_text(main)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "index.html").write_text("<p>{{.}}</p>\n")
    (tmp_path / "seed.json").write_text("{}\n")
    result = harden(GO_DOCKERFILE, context=tmp_path)
    assert isinstance(result, Success), result
    return result


def test_what_the_program_reads_is_copied_next_to_it(tmp_path):
    result = _harden_go(tmp_path, 'package main\nvar t = template.Must(template.ParseGlob("templates/*.html"))\n')
    assert "COPY --from=build /srv/templates /srv/templates\n" in result.text
    assert "seed.json" not in result.text  # not read: named in the warning instead
    assert any("seed.json" in w.message for w in result.warnings)
    assert result.unproven == ()


def test_a_read_it_cannot_work_out_makes_the_rewrite_unproven(tmp_path):
    result = _harden_go(tmp_path, 'package main\nfunc page(n string) { template.ParseFiles("templates/" + n) }\n')
    assert any("main.go:2 reads a file whose path dhard cannot work out" in r for r in result.unproven)
