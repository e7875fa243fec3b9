"""hardener.report.facts and .packages: ImageFacts from a saved image, package databases decoded."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hardener.report import ArchiveError, ImageFacts, Package, measure_image, read_archive, save_command
from hardener.report.packages import UnreadableDb, parse_apk, parse_dpkg, parse_rpm_sqlite
from report_helpers import (apk_installed, config, docker_archive, dpkg_status, exe, file, folder, hardlink,
                            layer, oci_archive, oci_layout, rpm_header, rpmdb_sqlite, symlink, whiteout)

OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n'


def debian_like() -> bytes:
    """A Debian-shaped base: merged /usr, dash as sh, a setuid su, curl, apt, dpkg status."""
    return layer(
        folder("usr"), folder("usr/bin"), symlink("bin", "usr/bin"), symlink("sbin", "usr/sbin"),
        exe("usr/bin/dash"), symlink("usr/bin/sh", "dash"), exe("usr/bin/bash"),
        exe("usr/bin/su", mode=0o4755), exe("usr/bin/chage", mode=0o2755), exe("usr/bin/apt-get"),
        exe("usr/bin/dpkg"), exe("usr/bin/curl"), file("usr/bin/wget", mode=0o644),  # not executable
        symlink("usr/bin/nc", "nc.openbsd"),  # dangling: not there
        file("usr/lib/os-release", OS_RELEASE), symlink("etc/os-release", "../usr/lib/os-release"),
        file("var/lib/dpkg/status", dpkg_status(("bash", "5.2.15-2+b2", "amd64"), ("curl", "7.88.1-10", "amd64"),
                                                 ("libc6", "2.36-9+deb12u4", "amd64"))
             + "\n" + dpkg_status(("gone", "1.0", "all"), status="deinstall ok config-files")),
    )


def facts_of(tmp_path, *layers, name="image.tar", **cfg) -> ImageFacts:
    return read_archive(docker_archive(tmp_path / name, list(layers), config(**cfg)))


# -- package databases -----------------------------------------------------------------------


def test_dpkg_status_counts_installed_packages_only():
    text = dpkg_status(("a", "1:2.0-1", "amd64"), ("b", "3", "all")) + "\n" + dpkg_status(
        ("c", "1", "amd64"), status="deinstall ok config-files") + "\n" + dpkg_status(
        ("d", "1", "amd64"), status="purge ok not-installed")
    assert parse_dpkg(text.encode()) == [Package("dpkg", "a", "1:2.0-1", "amd64"), Package("dpkg", "b", "3", "all")]


def test_dpkg_status_d_paragraph_without_status_is_installed():
    assert parse_dpkg(b"Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n") == [
        Package("dpkg", "tzdata", "2024a-0+deb12u1", "all")]


def test_apk_installed_db():
    db = apk_installed(("musl", "1.2.4-r2", "x86_64"), ("busybox", "1.36.1-r15", "x86_64"))
    assert parse_apk(db.encode()) == [Package("apk", "musl", "1.2.4-r2", "x86_64"),
                                      Package("apk", "busybox", "1.36.1-r15", "x86_64")]


@pytest.mark.parametrize("wal", [False, True])
def test_rpm_sqlite_db_names_versions_epochs(tmp_path, wal):
    data = rpmdb_sqlite(tmp_path, [("bash", "5.1.8", "9.el9", "x86_64", None), ("openssl", "3.0.7", "27.el9",
                                                                                 "x86_64", 1),
                                   ("gpg-pubkey", "fd431d51", "4ae0493b", "", None)], wal=wal)
    assert parse_rpm_sqlite(data) == [Package("rpm", "bash", "5.1.8-9.el9", "x86_64"),
                                      Package("rpm", "openssl", "1:3.0.7-27.el9", "x86_64")]


def test_rpm_sqlite_garbage_and_bad_headers_are_unreadable(tmp_path):
    with pytest.raises(UnreadableDb):
        parse_rpm_sqlite(b"not sqlite at all" * 10)
    import sqlite3

    path = tmp_path / "bad.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB)")
    con.execute("INSERT INTO Packages (blob) VALUES (?)", (rpm_header({1000: "x"})[:-3] + b"\xff" * 2,))
    bogus = bytearray(rpm_header({1000: "x"}))
    bogus[4:8] = (10**6).to_bytes(4, "big")  # data length past the blob
    con.execute("INSERT INTO Packages (blob) VALUES (?)", (bytes(bogus),))
    con.commit()
    con.close()
    with pytest.raises(UnreadableDb, match="larger than its blob"):
        parse_rpm_sqlite(path.read_bytes())


def test_rpm_sqlite_without_a_packages_table(tmp_path):
    import sqlite3

    path = tmp_path / "v.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.execute("CREATE VIEW Packages AS SELECT x AS blob FROM t")
    con.commit()
    con.close()
    with pytest.raises(UnreadableDb, match="no Packages table"):
        parse_rpm_sqlite(path.read_bytes())


# -- ImageFacts ---------------------------------------------------------------------------------


def test_debian_like_image_facts(tmp_path):
    f = facts_of(tmp_path, debian_like(), layer(file("app/main.py", "print()")), user="",
                 ports=["8000/tcp", "53/udp"], cmd=["python", "main.py"])
    assert [p.name for p in f.packages] == ["bash", "curl", "libc6"]
    assert f.package_dbs == {"dpkg": "read"}
    assert f.os_release == {"PRETTY_NAME": "Debian GNU/Linux 12 (bookworm)", "ID": "debian", "VERSION_ID": "12"}
    assert f.setuid == ("/usr/bin/su",) and f.setgid == ("/usr/bin/chage",)
    assert f.tools["shells"] == ("/usr/bin/bash", "/usr/bin/dash", "/usr/bin/sh")
    assert f.tool_names("package_managers") == ["apt-get", "dpkg"]
    assert f.tool_names("network_tools") == ["curl"]  # wget is not executable, nc dangles
    assert f.user == "" and f.runs_as_root and f.user_display == "root (no USER)"
    assert f.exposed_ports == ("53/udp", "8000/tcp")
    assert f.entrypoint is None and f.cmd == ("python", "main.py")
    assert f.layer_count == 2 and f.reference == "localhost/app:latest"
    assert f.image_id.startswith("sha256:") and f.architecture == "amd64" and f.os == "linux"


def test_sizes_count_hard_links_once_and_sum_the_stored_layers(tmp_path):
    one, two = layer(file("a", b"x" * 1000), hardlink("b", "a", 0o644)), layer(file("c", b"y" * 10))
    f = read_archive(docker_archive(tmp_path / "s.tar", [one, two]))
    assert f.content_bytes == 1010 and f.file_count == 3
    assert f.layers_bytes == len(one) + len(two)
    gz = read_archive(docker_archive(tmp_path / "g.tar", [one, two], gzip_layers=True))
    assert gz.content_bytes == 1010 and gz.layers_bytes < f.layers_bytes


def test_distroless_status_d_and_nonroot_user(tmp_path):
    f = facts_of(tmp_path, layer(
        file("var/lib/dpkg/status.d/libc6", "Package: libc6\nVersion: 2.36-9\nArchitecture: amd64\n"),
        file("var/lib/dpkg/status.d/libc6.md5sums", "abc  lib/x\n"),
        file("var/lib/dpkg/status.d/tzdata", "Package: tzdata\nVersion: 2024a\nArchitecture: all\n"),
        exe("app/server")), user="65532:65532", entrypoint=["/app/server"])
    assert [(p.name, p.version) for p in f.packages] == [("libc6", "2.36-9"), ("tzdata", "2024a")]
    assert not f.runs_as_root and f.entrypoint == ("/app/server",)
    assert all(not paths for paths in f.tools.values()) and f.setuid == ()


def test_alpine_busybox_applets_and_apk(tmp_path):
    f = facts_of(tmp_path, layer(
        exe("bin/busybox"), symlink("bin/sh", "/bin/busybox"), symlink("usr/bin/wget", "/bin/busybox"),
        exe("sbin/apk"), file("etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\n"),
        file("lib/apk/db/installed", apk_installed(("musl", "1.2.4-r2", "x86_64"), ("apk-tools", "2.14.0-r5",
                                                                                      "x86_64")))))
    assert f.tool_names("shells") == ["busybox", "sh"]
    assert f.tool_names("network_tools") == ["wget"] and f.tool_names("package_managers") == ["apk"]
    assert [p.manager for p in f.packages] == ["apk", "apk"] and f.package_dbs == {"apk": "read"}


def test_rpm_image_and_an_unreadable_rpm_db(tmp_path):
    db = rpmdb_sqlite(tmp_path, [("bash", "5.1.8", "9.el9", "x86_64", None)])
    f = facts_of(tmp_path, layer(folder("usr/lib/sysimage/rpm"), file("usr/lib/sysimage/rpm/rpmdb.sqlite", db),
                                 symlink("var/lib/rpm", "../../usr/lib/sysimage/rpm"), exe("usr/bin/microdnf")),
                 name="rpm.tar")
    assert f.packages == (Package("rpm", "bash", "5.1.8-9.el9", "x86_64"),) and f.package_dbs == {"rpm": "read"}
    assert f.tool_names("package_managers") == ["microdnf"]
    old = facts_of(tmp_path, layer(file("var/lib/rpm/Packages", b"\0" * 100)), name="bdb.tar")
    assert old.packages == () and old.package_dbs["rpm"].startswith("present, not read")
    broken = facts_of(tmp_path, layer(file("var/lib/rpm/rpmdb.sqlite", b"garbage")), name="broken.tar")
    assert broken.package_dbs["rpm"].startswith("present, not read (sqlite")
    assert any("rpmdb.sqlite" in w for w in broken.warnings)


def test_a_later_layer_removing_the_package_db_and_shell(tmp_path):
    f = facts_of(tmp_path, debian_like(), layer(whiteout("var/lib/dpkg"), whiteout("usr/bin/dash")))
    assert f.packages == () and f.package_dbs == {}
    assert f.tool_names("shells") == ["bash"]  # sh -> dash dangles now


def test_image_path_directories_are_searched_too(tmp_path):
    f = facts_of(tmp_path, layer(exe("opt/tools/bin/curl"), exe("busybox/sh")), env=["PATH=/opt/tools/bin"])
    assert f.tools["network_tools"] == ("/opt/tools/bin/curl",)
    assert f.tools["shells"] == ("/busybox/sh",)  # distroless debug's folder, always searched


def test_facts_round_trip_through_the_dict_shape(tmp_path):
    f = facts_of(tmp_path, debian_like(), user="app", entrypoint=["/x"], cmd=["y"])
    assert ImageFacts.from_dict(f.to_dict()) == f


def test_oci_archive_facts(tmp_path):
    path = oci_archive(tmp_path / "oci.tar", oci_layout([debian_like()], config(user="1000")))
    f = read_archive(path)
    assert len(f.packages) == 3 and f.user == "1000" and f.reference == "latest"


# -- the engine seam ----------------------------------------------------------------------------


def test_save_command():
    assert save_command("podman", "localhost/a:b", "/t/x.tar") == [
        "podman", "save", "--format", "docker-archive", "-o", "/t/x.tar", "localhost/a:b"]
    assert save_command("docker", "a:b", Path("/t/x.tar")) == ["docker", "save", "-o", "/t/x.tar", "a:b"]
    with pytest.raises(ValueError):
        save_command("nerdctl", "a", "x")


class FakeEngine:
    """Stands in for rewrite.verify.Engine: ``save`` writes a synthetic archive."""

    def __init__(self, name, layers, fail=False):
        self.name, self.layers, self.fail, self.commands = name, layers, fail, []

    def run(self, cmd, timeout=None):
        self.commands.append(cmd)
        if self.fail:
            return subprocess.CompletedProcess(cmd, 125, "", "Error: no such image")
        path = Path(cmd[cmd.index("-o") + 1])
        docker_archive(path, self.layers, config(user="app"), tags=[cmd[-1]])
        return subprocess.CompletedProcess(cmd, 0, "", "")


def test_measure_image_saves_reads_and_removes_the_archive(tmp_path):
    engine = FakeEngine("podman", [debian_like()])
    f = measure_image(engine, "localhost/dhard-verify-x:original", tmp_path)
    assert engine.commands[0][:4] == ["podman", "save", "--format", "docker-archive"]
    assert f.reference == "localhost/dhard-verify-x:original" and f.user == "app" and len(f.packages) == 3
    assert list(tmp_path.iterdir()) == []


def test_measure_image_reports_a_failed_save(tmp_path):
    with pytest.raises(ArchiveError, match="no such image"):
        measure_image(FakeEngine("docker", [], fail=True), "x:y", tmp_path)
    assert list(tmp_path.iterdir()) == []
