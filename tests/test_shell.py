"""Tests for hardener.shell, the reader of RUN shell text."""

import random

import pytest

from hardener.shell import (
    Command,
    Script,
    command_name,
    parse_exec,
    parse_shell,
    unwrap,
)

from conftest import real_files
from growth import python_calls


def names(script: Script) -> list:
    return [c.name for c in script.commands]


def only(script: Script, name: str) -> Command:
    found = [c for c in script.commands if c.name == name]
    assert len(found) == 1, names(script)
    return found[0]


def span(text: str, cmd: Command) -> str:
    return text[cmd.start : cmd.end]


# ---------------------------------------------------------------- splitting


def test_and_list_offsets():
    text = "apt-get update && apt-get install -y curl"
    s = parse_shell(text)
    assert s.known and s.unknown_reasons == ()
    assert names(s) == ["apt-get", "apt-get"]
    first, second = s.commands
    assert span(text, first) == "apt-get update"
    assert span(text, second) == "apt-get install -y curl"
    assert first.op_before is None and first.op_after == "&&"
    assert second.op_before == "&&" and second.op_after is None
    assert second.argv() == ["apt-get", "install", "-y", "curl"]
    w = second.words[3]
    assert (w.raw, w.value, text[w.start : w.end]) == ("curl", "curl", "curl")
    assert all(c.depth == 0 and c.origin == "top" for c in s.commands)


@pytest.mark.parametrize(
    "text, ops",
    [
        ("a || b", [(None, "||"), ("||", None)]),
        ("a; b", [(None, ";"), (";", None)]),
        ("a | b", [(None, "|"), ("|", None)]),
        ("a & b", [(None, "&"), ("&", None)]),
        ("a\nb", [(None, "\n"), ("\n", None)]),
        ("a |& b", [(None, "|"), ("|", None)]),
        ("a;\n\n b", [(None, ";"), (";", None)]),
        ("a &&\n b", [(None, "&&"), ("&&", None)]),
    ],
)
def test_operators(text, ops):
    s = parse_shell(text)
    assert s.known, s.unknown_reasons
    assert [(c.op_before, c.op_after) for c in s.commands] == ops
    assert names(s) == ["a", "b"]


def test_pipe_vs_or():
    assert parse_shell("a | b").has_pipe
    assert parse_shell("a |& b").has_pipe
    assert not parse_shell("a || b").has_pipe
    assert not parse_shell("echo 'a | b' \"|\" \\|").has_pipe
    assert parse_shell("x=$(a | b)").has_pipe


# ------------------------------------------------------------------ quoting


def test_quotes_and_escapes():
    text = """echo 'a b' "c \\"d\\" \\$e" f\\ g 'h'"i"j \\'"""
    s = parse_shell(text)
    assert s.known
    (cmd,) = s.commands
    assert cmd.argv() == ["echo", "a b", 'c "d" $e', "f g", "hij", "'"]
    assert cmd.words[1].raw == "'a b'"
    for w in cmd.words:
        assert text[w.start : w.end] == w.raw


def test_double_quote_keeps_other_backslashes():
    (cmd,) = parse_shell(r'printf "a\nb\\c"').commands
    assert cmd.argv() == ["printf", "a\\nb\\c"]


def test_expansions_make_value_unknown():
    text = 'echo $HOME ${X:-d} "$(id -u)" `date` $((1+2)) a$1 "${A}b" $ \'$x\' ~/x'
    s = parse_shell(text)
    assert s.known, s.unknown_reasons
    echo = s.commands[0]
    assert echo.argv() == ["echo", None, None, None, None, None, None, None, "$", "$x", "~/x"]
    assert names(s) == ["echo", "id", "date"]


def test_ansi_c_quotes():
    (cmd,) = parse_shell("printf $'a\\tb' $\"c\"").commands
    assert cmd.argv() == ["printf", "a\tb", "c"]


def test_comments():
    s = parse_shell("echo a # && rm -rf /\necho b#c")
    assert names(s) == ["echo", "echo"]
    assert s.commands[0].argv() == ["echo", "a"]
    assert s.commands[1].argv() == ["echo", "b#c"]


def test_line_continuations():
    text = "apt-get install \\\n  -y \\\n  curl && ec\\\nho hi"
    s = parse_shell(text)
    assert s.known
    assert s.commands[0].argv() == ["apt-get", "install", "-y", "curl"]
    assert s.commands[1].argv() == ["echo", "hi"]
    assert span(text, s.commands[0]) == "apt-get install \\\n  -y \\\n  curl"


# -------------------------------------------------------------- assignments


def test_assignments_and_redirects():
    text = "A=1 B='x y' apt-get install -y foo >/dev/null 2>&1 < in.txt &> all >> log 3>|f <<<word"
    s = parse_shell(text)
    assert s.known
    (cmd,) = s.commands
    assert [a.raw for a in cmd.assignments] == ["A=1", "B='x y'"]
    assert cmd.assignments[1].value == "B=x y"
    assert cmd.argv() == ["apt-get", "install", "-y", "foo"]
    assert cmd.redirects == (">/dev/null", "2>&1", "<in.txt", "&>all", ">>log", "3>|f", "<<<word")
    assert span(text, cmd) == text
    assert cmd.name == "apt-get"


def test_assignment_only_and_array():
    s = parse_shell("X=1; a=(1 2 3); echo ${a[0]}")
    assert s.known
    assert s.commands[0].words == () and s.commands[0].name is None
    assert [a.raw for a in s.commands[1].assignments] == ["a=(1 2 3)"]
    assert s.commands[2].name == "echo"


def test_word_after_name_is_not_assignment():
    (cmd,) = parse_shell("env A=1 make").commands
    assert cmd.argv() == ["env", "A=1", "make"]
    assert cmd.assignments == ()


def test_redirect_first_and_fd_digits():
    s = parse_shell(">out echo 2>err a2>b")
    (cmd,) = s.commands
    assert cmd.start == 0
    assert cmd.argv() == ["echo", "a2"]
    assert cmd.redirects == (">out", "2>err", ">b")


def test_process_substitution():
    s = parse_shell("diff <(sort a) >(tee b)")
    assert s.known
    assert names(s) == ["diff", "sort", "tee"]
    assert s.commands[0].argv() == ["diff", None, None]
    assert s.commands[1].origin == "subst"


# ---------------------------------------------------------------- compound


def test_subshell_and_brace_group():
    text = "(cd /src && make) ; { echo a; echo b; } > log"
    s = parse_shell(text)
    assert s.known
    assert names(s) == ["cd", "make", "echo", "echo"]
    assert [c.depth for c in s.commands] == [1, 1, 1, 1]
    assert span(text, s.commands[1]) == "make"


def test_if_elif_else():
    s = parse_shell("if [ -f x ]; then a; elif b; then c; else d; fi && e")
    assert s.known
    assert names(s) == ["[", "a", "b", "c", "d", "e"]
    assert [c.depth for c in s.commands] == [1, 1, 1, 1, 1, 0]
    assert s.commands[-1].op_before == "&&"


def test_nested_if_depth():
    s = parse_shell("if a; then if b; then c; fi; fi")
    assert s.known
    assert [(c.name, c.depth) for c in s.commands] == [("a", 1), ("b", 2), ("c", 2)]


def test_for_while_until():
    s = parse_shell(
        "for p in a b $(ls); do echo $p; done; while read l; do x; done < f; "
        "until false; do y; done; for ((i=0;i<3;i++)); do z; done; for q\ndo w; done"
    )
    assert s.known, s.unknown_reasons
    assert names(s) == ["ls", "echo", "read", "x", "false", "y", "z", "w"]


def test_case():
    text = 'case "$(uname -m)" in\n x86_64|amd64) arch=amd64 ;;\n (aarch64) arch=arm64; echo ok;;\n *) exit 1 ;;\nesac'
    s = parse_shell(text)
    assert s.known, s.unknown_reasons
    assert names(s) == ["uname", None, None, "echo", "exit"]
    assert s.commands[3].depth == 1


def test_case_keywords_as_words():
    s = parse_shell("echo if then fi done esac { }")
    assert s.known
    assert s.commands[0].argv() == ["echo", "if", "then", "fi", "done", "esac", "{", "}"]


def test_negation():
    s = parse_shell("! grep -q x f && echo missing")
    assert s.known
    assert names(s) == ["grep", "echo"]
    assert s.commands[0].op_after == "&&"


def test_double_brackets():
    s = parse_shell('[[ -f "$x" && $y > 3 ]] || echo no')
    assert s.known
    assert names(s) == ["[[", "echo"]
    assert s.commands[1].op_before == "||"


def test_arithmetic_command():
    s = parse_shell("(( i++ )) && echo $i")
    assert s.known
    assert names(s) == ["echo"]


# ------------------------------------------------------------ substitutions


def test_command_substitution_nesting():
    text = 'v="$(dirname $(readlink -f /usr/bin/java))" && echo `id -u`'
    s = parse_shell(text)
    assert s.known
    assert [(c.name, c.depth, c.origin) for c in s.commands] == [
        (None, 0, "top"),
        ("dirname", 1, "subst"),
        ("readlink", 2, "subst"),
        ("echo", 0, "top"),
        ("id", 1, "subst"),
    ]
    assert span(text, s.commands[2]) == "readlink -f /usr/bin/java"
    assert span(text, s.commands[4]) == "id -u"
    assert s.commands[0].assignments[0].value is None


def test_substitution_with_case_and_parens():
    s = parse_shell("x=$(case a in a) echo 1;; esac) && y=$( (cd / && pwd) )")
    assert s.known, s.unknown_reasons
    assert names(s) == [None, "echo", None, "cd", "pwd"]


# -------------------------------------------------------------------- sh -c


def test_sh_c_single_quoted_offsets():
    text = "set -e; sh -c 'apt-get update && apt-get install -y curl' && echo done"
    s = parse_shell(text)
    assert s.known
    assert [(c.name, c.depth, c.origin) for c in s.commands] == [
        ("set", 0, "top"),
        ("sh", 0, "top"),
        ("apt-get", 1, "sh-c"),
        ("apt-get", 1, "sh-c"),
        ("echo", 0, "top"),
    ]
    assert span(text, s.commands[3]) == "apt-get install -y curl"
    w = s.commands[3].words[2]
    assert text[w.start : w.end] == "-y"


def test_sh_c_escaped_string_uses_word_span():
    text = 'bash -ec "apt-get install -y \\"x\\" && rm -rf /var/lib/apt/lists/*"'
    s = parse_shell(text)
    assert s.known
    outer, inner1, inner2 = s.commands
    assert inner1.argv() == ["apt-get", "install", "-y", "x"]
    assert inner2.argv() == ["rm", "-rf", "/var/lib/apt/lists/*"]
    script_word = outer.words[2]
    for c in (inner1, inner2):
        assert (c.start, c.end) == (script_word.start, script_word.end)
        assert c.origin == "sh-c" and c.depth == 1


def test_sh_c_variants():
    for text in (
        "/bin/sh -ec 'make install'",
        "bash -o pipefail -c 'make install'",
        "sudo -u app bash -lc \"make install\"",
        "su app -s /bin/sh -c 'make install'",
        "timeout 10 sh -c 'make install'",
    ):
        s = parse_shell(text)
        assert s.known, (text, s.unknown_reasons)
        nested = [c for c in s.commands if c.origin == "sh-c"]
        assert [c.argv() for c in nested] == [["make", "install"]], text
        assert span(text, nested[0]) == "make install"


def test_sh_c_dynamic_script_is_unknown():
    s = parse_shell('sh -c "$CMD"')
    assert not s.known
    assert any("sh -c" in r for r in s.unknown_reasons)


def test_sh_script_file_is_known():
    s = parse_shell("sh ./install.sh --prefix=/x && bash -x build.sh")
    assert s.known
    assert names(s) == ["sh", "bash"]


def test_nested_sh_c_inside_sh_c():
    text = "sh -c 'bash -c \"echo hi\"'"
    s = parse_shell(text)
    assert s.known
    assert [(c.name, c.depth) for c in s.commands] == [("sh", 0), ("bash", 1), ("echo", 2)]
    assert span(text, s.commands[2]) == "echo hi"


def test_su_c():
    text = "su -c 'apt-get install -y x' root && su --command='make install' app && su - app -lc 'id -u'"
    s = parse_shell(text)
    assert s.known, s.unknown_reasons
    nested = [c for c in s.commands if c.origin == "sh-c"]
    assert [c.argv() for c in nested] == [["apt-get", "install", "-y", "x"], ["make", "install"], ["id", "-u"]]
    assert span(text, nested[0]) == "apt-get install -y x"
    assert span(text, nested[1]) == "--command='make install'"  # not mappable: the word's span
    assert not parse_shell('su app -c "$CMD"').known


def test_xargs_sh_c():
    s = parse_shell("find . -name '*.sh' | xargs -n1 sh -c 'shellcheck \"$0\"'")
    assert names(s) == ["find", "xargs", "shellcheck"]


def test_substitution_in_parameter_default():
    s = parse_shell("echo ${VERSION:-$(cat /VERSION)}")
    assert s.known
    assert names(s) == ["echo", "cat"]
    assert s.commands[1].origin == "subst"


def test_substitution_in_redirect_target():
    s = parse_shell("done_=1; while read l; do echo $l; done < <(ls /) > $(mktemp)")
    assert s.known, s.unknown_reasons
    assert names(s) == [None, "read", "echo", "ls", "mktemp"]


def test_hidden_commands_in_arithmetic_or_arrays_are_unknown():
    assert parse_shell("echo $((1 + 2)) && (( x = 3 )) && a=(1 2)").known
    assert not parse_shell("echo $(( $(nproc) + 1 ))").known
    assert not parse_shell("a=( $(ls) )").known


def test_continuation_not_in_word_span():
    text = "echo a\\\n&& echo b"
    s = parse_shell(text)
    assert s.known
    assert span(text, s.commands[0]) == "echo a"
    s = parse_shell("if\\\n true; then echo; fi")
    assert s.known and names(s) == ["true", "echo"]


# ------------------------------------------------------------------ heredocs


def test_heredoc_body_is_skipped():
    text = "set -eux\ncat <<EOF > /etc/x.conf\nrm -rf /\n$(curl evil)\nEOF\necho done\n"
    s = parse_shell(text)
    assert s.known, s.unknown_reasons
    assert names(s) == ["set", "cat", "echo"]
    assert s.commands[1].redirects == ("<<EOF", ">/etc/x.conf")


def test_heredoc_strip_tabs_and_quoted_delimiter():
    text = "cat <<-'END' >f\n\tbody $x\n\tEND\ncat <<\"X\"\nbody\nX\nls"
    s = parse_shell(text)
    assert s.known, s.unknown_reasons
    assert names(s) == ["cat", "cat", "ls"]


def test_two_heredocs_on_one_line():
    s = parse_shell("cat <<A; cat <<B\na\nA\nb\nB\necho end")
    assert s.known
    assert names(s) == ["cat", "cat", "echo"]


def test_unterminated_heredoc_is_unknown():
    s = parse_shell("cat <<EOF\nno end here\n")
    assert not s.known


def test_heredoc_without_body_in_text():
    # a RUN <<EOF line: BuildKit hands the body over separately
    s = parse_shell("<<EOF")
    assert s.known
    s = parse_shell("python3 <<EOF")
    assert s.known and names(s) == ["python3"]


def test_heredoc_fed_to_shell_is_read():
    text = "bash -e <<'EOF'\napt-get update\napt-get install -y curl\nEOF\necho after"
    s = parse_shell(text)
    assert s.known, s.unknown_reasons
    assert [(c.name, c.origin) for c in s.commands] == [
        ("bash", "top"),
        ("apt-get", "sh-c"),
        ("apt-get", "sh-c"),
        ("echo", "top"),
    ]
    assert span(text, s.commands[2]) == "apt-get install -y curl"


def test_heredoc_body_with_continuations_and_comments():
    body = (
        "set -eux\n"
        "# a comment with 'quote and && ops\n"
        "apt-get update && \\\n"
        "    apt-get install -y \\\n"
        "      curl   # trailing comment\n"
        "rm -rf /var/lib/apt/lists/*\n"
    )
    s = parse_shell(body)
    assert s.known, s.unknown_reasons
    assert [c.argv() for c in s.commands] == [
        ["set", "-eux"],
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "curl"],
        ["rm", "-rf", "/var/lib/apt/lists/*"],
    ]
    assert s.commands[2].op_before == "&&"
    assert s.commands[3].op_before == "\n"


# ------------------------------------------------------------------- flags


def test_has_flag():
    (cmd,) = parse_shell("apt-get -qy install --no-install-recommends --opt=1 -o Foo=1 x -- -z").commands
    assert cmd.has_flag("-y")
    assert cmd.has_flag("-q")
    assert cmd.has_flag("--no-install-recommends")
    assert cmd.has_flag("--opt")
    assert cmd.has_flag("-x", "--yes", "-o")
    assert not cmd.has_flag("--yes")
    assert not cmd.has_flag("-z")  # after --
    assert not cmd.has_flag("--no-install")
    assert not cmd.has_flag("-n")  # no '-n' in any group


def test_has_flag_ignores_non_group_words():
    (cmd,) = parse_shell("curl -o/tmp/x https://e.com").commands
    assert not cmd.has_flag("-t")


def test_flag_value():
    (cmd,) = parse_shell("pip install --target=/x -t /y --index-url https://i -qr req.txt -Cfoo").commands
    assert cmd.flag_value("--target") == "/x"
    assert cmd.flag_value("-t") == "/y"
    assert cmd.flag_value("--index-url") == "https://i"
    assert cmd.flag_value("-r") == "req.txt"
    assert cmd.flag_value("-C") == "foo"
    assert cmd.flag_value("--missing") is None


def test_positionals():
    (cmd,) = parse_shell("apt-get install -y --no-install-recommends curl $PKG -t stable -- -weird").commands
    assert cmd.positionals() == ["install", "curl", None, "stable", "-weird"]


def test_command_name():
    assert command_name("/usr/bin/apt-get") == "apt-get"
    assert command_name("/venv/bin/pip") == "pip"
    assert command_name("pip3") == "pip3"
    assert command_name("./configure") == "configure"
    assert parse_shell("/usr/local/bin/pip install x").commands[0].name == "pip"


# ------------------------------------------------------------------- unwrap


@pytest.mark.parametrize(
    "text, argv",
    [
        ("sudo apt-get install x", ["apt-get", "install", "x"]),
        ("sudo -E -u root apt-get install x", ["apt-get", "install", "x"]),
        ("sudo -Eu root apt-get install x", ["apt-get", "install", "x"]),
        ("sudo --user=root -- apt-get x", ["apt-get", "x"]),
        ("env -i A=1 B=2 apt-get x", ["apt-get", "x"]),
        ("env -u X A=1 apt-get x", ["apt-get", "x"]),
        ("nice -n 10 make -j4", ["make", "-j4"]),
        ("nice -10 make", ["make"]),
        ("nohup ./server &", ["./server"]),
        ("time -p make", ["make"]),
        ("exec -a name gosu app cmd", ["cmd"]),
        ("command make", ["make"]),
        ("stdbuf -oL -e 0 make", ["make"]),
        ("timeout -s KILL 30 curl x", ["curl", "x"]),
        ("timeout --signal=KILL 30s curl x", ["curl", "x"]),
        ("xargs -n1 -I{} rm -f {}", ["rm", "-f", "{}"]),
        ("xargs -r -0 apt-get install -y", ["apt-get", "install", "-y"]),
        ("sudo env A=1 nice nohup pip install x", ["pip", "install", "x"]),
        ("busybox wget x", ["wget", "x"]),
        ("apt-get install x", ["apt-get", "install", "x"]),
        ("command -v curl", ["command", "-v", "curl"]),
        ("env", ["env"]),
        ("exec >log 2>&1", ["exec"]),
    ],
)
def test_unwrap(text, argv):
    (cmd,) = [c for c in parse_shell(text).commands if c.depth == 0]
    u = unwrap(cmd)
    assert u.argv() == argv
    assert (u.start, u.end) == (cmd.start, cmd.end)
    for w in u.words:
        assert text[w.start : w.end] == w.raw


def test_unwrap_collects_env_assignments():
    (cmd,) = parse_shell("X=0 sudo A=1 env B=2 make").commands
    u = unwrap(cmd)
    assert [a.raw for a in u.assignments] == ["X=0", "A=1", "B=2"]
    assert u.name == "make"
    assert cmd.name == "sudo"


def test_unwrap_sh_c_through_wrappers_is_parsed():
    s = parse_shell("sudo -u app sh -c 'pip install x'")
    assert names(s) == ["sudo", "pip"]


# ----------------------------------------------------------------- pipefail


@pytest.mark.parametrize(
    "text, expected",
    [
        ("set -o pipefail && curl x | sh", True),
        ("set -eo pipefail; curl x | sh", True),
        ("set -euxo pipefail; curl x | sh", True),
        ("set -e -o pipefail; curl x | sh", True),
        ("set -o errexit -o pipefail; curl x | sh", True),
        ("curl x | sh; set -o pipefail", False),
        ("curl x | sh", False),
        ("set -eux; curl x | sh", False),
        ("set -o pipefail; set +o pipefail; a | b", False),
        ("(set -o pipefail); a | b", False),
        ("{ set -o pipefail; }; a | b", True),
        ("if true; then set -o pipefail; fi; a | b", True),
        ("bash -o pipefail -c 'a | b'", True),
        ("bash -c 'set -o pipefail; a | b'", True),
        ("bash -c 'set -o pipefail'; a | b", False),
        ("set -o pipefail; bash -c 'a | b'", False),
        ("echo pipefail | x", False),
        ("set -o pipefail", True),
        ("echo set -o pipefail", False),
    ],
)
def test_pipefail(text, expected):
    s = parse_shell(text)
    assert s.known, s.unknown_reasons
    assert s.sets_pipefail is expected


# ------------------------------------------------------------------ unknown


@pytest.mark.parametrize(
    "text",
    [
        "eval $(ssh-agent)",
        "source /etc/profile && make",
        ". ./env.sh",
        "f() { echo hi; }; f",
        "function f { echo hi; }",
        "echo 'unbalanced",
        'echo "unbalanced',
        "echo $(unclosed",
        "(cd /x && make",
        "cd /x && make)",
        "echo `unclosed",
        "echo ${unclosed",
        "if true; then echo",
        "for x in 1 2; do echo $x",
        "case x in a) echo",
        "while true; do echo; ",
        "a && && b",
        "a &&",
        "| a",
        "$CMD install x",
        "sudo $CMD install x",
        "sh -c \"$SCRIPT\"",
        "bash -c",
        "alias ll='ls -l'",
        "trap 'rm -f /tmp/x' EXIT",
        "env -S 'a b' x",
        "{ echo a; ",
        "echo fi; fi",
        "cat <<EOF\nno terminator",
        "bash <<EOF\napt-get install $PKG\nEOF",
        "echo > ",
    ],
)
def test_unknown(text):
    s = parse_shell(text)
    assert not s.known, text
    assert s.unknown_reasons


def test_unknown_still_reports_commands():
    s = parse_shell("eval foo; apt-get install -y x")
    assert not s.known
    assert names(s) == ["eval", "apt-get"]


@pytest.mark.parametrize("bad", [None, 42, b"echo"])
def test_non_string_input(bad):
    s = parse_shell(bad)
    assert not s.known


def test_deep_nesting_is_unknown_not_a_crash():
    s = parse_shell("echo " + "$(" * 500 + "x" + ")" * 500)
    assert not s.known
    s = parse_shell("( " * 2000 + "x" + " )" * 2000)
    assert not s.known
    s = parse_shell("if a; then " * 300 + "x" + "; fi" * 300)
    assert not s.known


# -------------------------------------------------------------------- exec


def test_exec_plain():
    s = parse_exec(["apt-get", "install", "-y", "curl"])
    assert s.known
    (cmd,) = s.commands
    assert cmd.argv() == ["apt-get", "install", "-y", "curl"]
    assert (cmd.start, cmd.end) == (0, 0)
    assert all((w.start, w.end) == (0, 0) for w in cmd.words)
    assert cmd.has_flag("-y")


def test_exec_shell_c():
    s = parse_exec(["/bin/bash", "-ec", "apt-get update && apt-get install -y curl | tee x"])
    assert s.known
    assert names(s) == ["apt-get", "apt-get", "tee"]
    assert s.has_pipe and not s.sets_pipefail
    text = "apt-get update && apt-get install -y curl | tee x"
    assert span(text, s.commands[1]) == "apt-get install -y curl"
    s = parse_exec(["bash", "-o", "pipefail", "-c", "a | b"])
    assert s.sets_pipefail
    s = parse_exec(["sh", "-c", "echo $1", "arg0"])
    assert names(s) == ["echo"]


def test_exec_wrapped_shell_and_unknowns():
    s = parse_exec(["sudo", "sh", "-c", "make install"])
    assert names(s) == ["sudo", "make"]
    assert s.commands[1].origin == "sh-c"
    assert not parse_exec([]).known
    assert not parse_exec(["eval", "x"]).known
    # exec form does no expansion and no assignments
    s = parse_exec(["echo", "$HOME", "A=1"])
    assert s.known and s.commands[0].argv() == ["echo", "$HOME", "A=1"]


# ------------------------------------------------------------ robustness


def test_offsets_always_inside_the_input():
    text = "A=1 echo \"$(ls 'x y')\" | grep -v z >/dev/null && (cd / ; { pwd; }) || sh -c 'id -u'"
    s = parse_shell(text)
    assert s.known
    for c in s.commands:
        assert 0 <= c.start <= c.end <= len(text)
        for w in c.words + c.assignments:
            assert text[w.start : w.end] == w.raw


_ALPHABET = list("ab $(){}[];&|<>'\"\\`#\n\t=-~*!") + ["if ", "then ", "fi", "do ", "done", "case ", " in ",
                                                       "esac", ";;", "<<EOF", "EOF\n", "sh -c ", "$((", "${"]


def test_never_crashes_on_random_input():
    rng = random.Random(20240611)
    for _ in range(3000):
        text = "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 40)))
        s = parse_shell(text)
        assert isinstance(s, Script)
        if s.known is False:
            assert s.unknown_reasons
        for c in s.commands:
            assert 0 <= c.start <= c.end <= len(text), text
            unwrap(c)
            c.has_flag("-x")
            c.flag_value("-x")
            c.positionals()
        assert not any(r.startswith("internal error") for r in s.unknown_reasons), (text, s.unknown_reasons)
    for _ in range(300):
        argv = ["".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 8))) for _ in range(rng.randint(0, 5))]
        assert isinstance(parse_exec(["sh", "-c"] + argv), Script)
        assert isinstance(parse_exec(argv), Script)


def test_a_long_and_list_costs_in_proportion_to_its_commands():
    def run(n: int) -> str:
        return " && ".join("apt-get install -y --no-install-recommends pkg%d >/dev/null 2>&1" % i for i in range(n))

    script = parse_shell(run(50))
    assert len(script.commands) == 50
    small, large = python_calls(parse_shell, run(50)), python_calls(parse_shell, run(200))
    assert large / small < 4 * 1.6, (small, large)  # quadratic would be ~16


PATHOLOGICAL = {  # input of size n; the test parses n // 4 and n
    "a[": (lambda n: "a[" * n, 50000),
    "$((": (lambda n: "$((" * n, 30000),
    "backquotes": (lambda n: "`" * (2 * n + 1), 15000),
    "backslashes": (lambda n: "\\" * n, 60000),
    "heredocs": (lambda n: "<<A " * n + "\nx\n", 20000),
    "single quotes": (lambda n: "'" * (2 * n + 1), 30000),
    '"$(': (lambda n: '"$(' * n, 20000),
    "${": (lambda n: "${" * n, 30000),
    "subshells": (lambda n: "( " * n, 30000),
    "groups": (lambda n: "{ " * n, 30000),
    "if": (lambda n: "if " * n, 20000),
    "arrays": (lambda n: "a=(" * n, 30000),
    "pipes": (lambda n: "x|" * n, 5000),
    "sh -c": (lambda n: "sh -c '" + "a;" * n + "'", 5000),
    "case": (lambda n: "case " * n, 20000),
    "$'": (lambda n: "$'" * n, 30000),
    "[[": (lambda n: "[[ " * n, 30000),
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_input_costs_in_proportion_to_its_size(name):
    make, n = PATHOLOGICAL[name]
    assert isinstance(parse_shell(make(n)), Script)
    small, large = python_calls(parse_shell, make(n // 4)), python_calls(parse_shell, make(n))
    assert large / small < 4 * 1.6, (small, large)  # quadratic would be ~16


# ------------------------------------------------------------------ corpus


def _run_bodies():
    from hardener.parse import parse

    for path in real_files():
        df = parse(path.read_text(encoding="utf-8", errors="replace"), str(path))
        for ins in df.instructions:
            if ins.name != "RUN":
                continue
            if ins.json:
                yield path, list(ins.argv)
            else:
                yield path, ins.args
            for h in ins.heredocs:
                yield path, h.content


def test_corpus_runs_parse(corpus_available):
    known = unknown = 0
    reasons: dict = {}
    for path, body in _run_bodies():
        s = parse_exec(body) if isinstance(body, list) else parse_shell(body)
        assert isinstance(s, Script)
        assert not any(r.startswith("internal error") for r in s.unknown_reasons), (path, s.unknown_reasons)
        if s.known:
            known += 1
        else:
            unknown += 1
            for r in s.unknown_reasons:
                reasons[r] = reasons.get(r, 0) + 1
        if isinstance(body, str):
            for c in s.commands:
                assert 0 <= c.start <= c.end <= len(body)
                for w in c.words:
                    if c.origin == "top":
                        assert body[w.start : w.end] == w.raw
    print("\ncorpus RUN bodies: %d known, %d unknown" % (known, unknown))
    print("unknown reasons:", sorted(reasons.items(), key=lambda kv: -kv[1]))
    assert known + unknown > 100
    assert known > 0.9 * (known + unknown)
