"""hardener.report.archive: an image's filesystem from a saved archive, offline and bounded."""

from __future__ import annotations

import gzip
import io
import os
import tarfile

import pytest

from hardener.report.archive import ArchiveError, Limits, Wanted, clean_name, read_filesystem
from report_helpers import (config, docker_archive, exe, file, folder, hardlink, layer, lying_layer, oci_archive,
                            oci_dir, oci_layout, opaque, symlink, whiteout)

ALL = Wanted(files=("etc/data", "etc/link", "var/lib/dpkg/status"), dirs=("var/lib/dpkg/status.d",))


def fs_of(tmp_path, *layers, **kw):
    return read_filesystem(docker_archive(tmp_path / "image.tar", list(layers), **kw), ALL)


def paths(fs):
    return {path for path, _ in fs.walk()}


# -- layers in order ---------------------------------------------------------------------------


def test_layers_apply_in_order_later_files_win(tmp_path):
    fs = fs_of(tmp_path, layer(file("etc/data", "one"), file("etc/keep", "k")), layer(file("etc/data", "two")))
    assert fs.read("/etc/data") == b"two"
    assert paths(fs) == {"etc/data", "etc/keep"}
    assert fs.resolve("etc/data")[1].entry.layer == 1


def test_whiteout_removes_a_file_and_a_whole_directory_from_lower_layers(tmp_path):
    base = layer(folder("opt"), file("opt/a/one"), file("opt/a/two"), file("opt/b"), file("etc/data", "x"))
    fs = fs_of(tmp_path, base, layer(whiteout("opt/a"), whiteout("etc/data")))
    assert paths(fs) == {"opt", "opt/b"}  # directories no layer listed are implied, not entries
    assert not fs.exists("opt/a") and not fs.exists("opt/a/one") and not fs.exists("etc/data")
    assert fs.exists("opt/b")
    assert not any(".wh." in p for p in paths(fs))


def test_whiteout_then_recreate_in_the_same_layer_keeps_the_new_file(tmp_path):
    fs = fs_of(tmp_path, layer(file("etc/data", "old")), layer(whiteout("etc/data"), file("etc/data", "new")))
    assert fs.read("etc/data") == b"new"


def test_opaque_directory_hides_only_lower_layers_contents(tmp_path):
    base = layer(folder("srv"), file("srv/old1"), file("srv/sub/old2"), file("other"))
    # the marker after the layer's own file: order inside a layer must not matter
    fs = fs_of(tmp_path, base, layer(folder("srv"), file("srv/new"), opaque("srv")))
    assert {p for p in paths(fs) if p.startswith("srv/")} == {"srv/new"}
    assert fs.exists("other")


def test_a_file_over_a_directory_replaces_it_and_its_contents(tmp_path):
    fs = fs_of(tmp_path, layer(file("x/y/z")), layer(file("x", "now a file")))
    assert fs.resolve("x")[1].kind == "file" and not fs.exists("x/y/z")


def test_directory_listed_again_keeps_children_and_takes_new_mode(tmp_path):
    fs = fs_of(tmp_path, layer(folder("d", 0o755), file("d/f")), layer(folder("d", 0o700)))
    assert fs.exists("d/f")
    assert fs.resolve("d")[1].entry.mode == 0o700


def test_gzip_layers_and_member_names_with_dot_slash(tmp_path):
    fs = fs_of(tmp_path, layer(file("./etc/data", "zipped"), folder("./")), gzip_layers=True)
    assert fs.read("/etc/data") == b"zipped"


# -- links ------------------------------------------------------------------------------------


def test_symlinks_are_followed_inside_the_image_and_relative_dotdot_stops_at_root(tmp_path):
    fs = fs_of(tmp_path, layer(
        folder("usr/bin"), symlink("bin", "usr/bin"), exe("usr/bin/dash"), symlink("usr/bin/sh", "dash"),
        file("etc/data", "real"), symlink("etc/link", "../../../../../etc/data"),
        symlink("abs", "/usr/bin/sh")))
    assert fs.resolve("bin/sh")[0] == "usr/bin/dash"
    assert fs.resolve("/abs")[0] == "usr/bin/dash"
    assert fs.resolve("bin/sh", follow_last=False)[0] == "usr/bin/sh"
    assert fs.read("etc/link") == b"real"


def test_a_link_out_of_the_image_never_reads_the_host(tmp_path):
    # /etc/link -> /etc/passwd: the image has none, so nothing is read (the host's file is not consulted)
    assert os.path.exists("/etc/passwd")
    fs = fs_of(tmp_path, layer(symlink("etc/link", "/etc/passwd"), symlink("var/lib/dpkg/status", "../../../../etc/hostname")))
    assert fs.read("etc/link") is None and not fs.exists("etc/link")
    assert fs.read("var/lib/dpkg/status") is None


def test_symlink_loops_end(tmp_path):
    fs = fs_of(tmp_path, layer(symlink("a", "b"), symlink("b", "a"), symlink("self", "self/x")))
    assert fs.resolve("a") is None and fs.resolve("self") is None
    assert fs.resolve("a", follow_last=False)[0] == "a"


def test_hardlinks_share_the_target_mode_size_and_contents(tmp_path):
    fs = fs_of(tmp_path, layer(file("usr/bin/su", b"x" * 100, mode=0o4755), hardlink("etc/data", "usr/bin/su", 0o4755)))
    node = fs.resolve("etc/data")[1]
    assert node.kind == "file" and node.entry.hardlink and node.entry.size == 100
    assert fs.read("etc/data") == b"x" * 100


def test_a_wanted_file_reached_through_a_link_is_read_on_a_second_look(tmp_path):
    # the contents sit at a path nothing wants; only the link to it is wanted
    fs = fs_of(tmp_path, layer(file("usr/share/real-status", "Package: a\n")),
               layer(symlink("var/lib/dpkg/status", "/usr/share/real-status")))
    assert fs.read("var/lib/dpkg/status") == b"Package: a\n"


def test_a_hard_link_at_a_wanted_path_gets_the_contents_of_an_unwanted_target(tmp_path):
    fs = fs_of(tmp_path, layer(file("usr/share/s", "hello"), hardlink("etc/data", "usr/share/s", 0o644)))
    assert fs.read("etc/data") == b"hello"


def test_a_hard_link_to_nothing_is_skipped_with_a_warning(tmp_path):
    fs = fs_of(tmp_path, layer(hardlink("etc/data", "missing/file")))
    assert not fs.exists("etc/data")
    assert any("hard link" in w for w in fs.warnings)


def test_only_wanted_files_are_read(tmp_path):
    fs = fs_of(tmp_path, layer(file("etc/data", "yes"), file("etc/other", "no"), file("var/lib/dpkg/status.d/x", "d")))
    assert fs.read("etc/data") == b"yes" and fs.read("var/lib/dpkg/status.d/x") == b"d"
    assert fs.read("etc/other") is None and fs.exists("etc/other")


def test_modes_owners_and_capabilities_are_kept(tmp_path):
    fs = fs_of(tmp_path, layer(exe("usr/bin/ping", pax={"SCHILY.xattr.security.capability": "\x01"}),
                               file("usr/bin/wall", mode=0o2755, uid=0, gid=5), file("home/u/f", uid=1000, gid=1000)))
    ping, wall, own = (fs.resolve(p)[1].entry for p in ("usr/bin/ping", "usr/bin/wall", "home/u/f"))
    assert ping.capabilities and not wall.capabilities
    assert wall.mode == 0o2755 and wall.gid == 5
    assert (own.uid, own.gid) == (1000, 1000)


# -- layouts ---------------------------------------------------------------------------------------


def test_oci_archive_and_oci_directory(tmp_path):
    files = oci_layout([layer(file("etc/data", "oci")), layer(whiteout("etc/gone"))], config(user="1000"))
    for path in (oci_archive(tmp_path / "oci.tar", files), oci_dir(tmp_path / "layout", files)):
        fs = read_filesystem(path, ALL)
        assert fs.read("etc/data") == b"oci"
        assert fs.config["config"]["User"] == "1000"
        assert fs.tags == ["latest"]


def test_oci_zstd_layers_are_refused_clearly(tmp_path):
    files = oci_layout([b"\x28\xb5\x2f\xfd" + b"\0" * 100], gzip_layers=False)
    with pytest.raises(ArchiveError, match="zstd"):
        read_filesystem(oci_archive(tmp_path / "z.tar", files), ALL)


def test_several_images_in_one_archive_are_picked_by_tag(tmp_path):
    path = docker_archive(tmp_path / "two.tar", [], images=[
        ([layer(file("etc/data", "A"))], config(), ["localhost/a:1"]),
        ([layer(file("etc/data", "B"))], config(), ["docker.io/library/b:2"]),
    ])
    assert read_filesystem(path, ALL, tag="localhost/a:1").read("etc/data") == b"A"
    assert read_filesystem(path, ALL, tag="b:2").read("etc/data") == b"B"
    with pytest.raises(ArchiveError, match="several images"):
        read_filesystem(path, ALL)
    with pytest.raises(ArchiveError, match="no image tagged"):
        read_filesystem(path, ALL, tag="c:3")


def test_config_digest_is_the_config_files_sha256(tmp_path):
    import hashlib
    import json

    cfg = config(user="app")
    fs = fs_of(tmp_path, layer(file("a")), cfg=cfg)
    assert fs.config_digest == "sha256:" + hashlib.sha256(json.dumps(cfg).encode()).hexdigest()
    assert fs.layers[0].bytes == len(layer(file("a")))


def test_not_an_image_archive(tmp_path):
    plain = tmp_path / "plain.tar"
    with tarfile.open(plain, "w") as tar:
        tar.addfile(tarfile.TarInfo("hello"), io.BytesIO())
    with pytest.raises(ArchiveError, match="neither"):
        read_filesystem(plain)
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar at all" * 100)
    with pytest.raises(ArchiveError):
        read_filesystem(junk)
    zipped = tmp_path / "image.tar.gz"
    zipped.write_bytes(gzip.compress(docker_archive(tmp_path / "z.tar", [layer(file("a"))]).read_bytes()))
    with pytest.raises(ArchiveError, match="gunzip"):
        read_filesystem(zipped)
    with pytest.raises(ArchiveError, match="no such"):
        read_filesystem(tmp_path / "missing.tar")


# -- hostile archives ---------------------------------------------------------------------------------


def test_clean_name_refuses_names_that_climb_out():
    assert clean_name("./usr/bin/../lib/x") == ["usr", "lib", "x"]
    assert clean_name("/etc/passwd") == ["etc", "passwd"]
    assert clean_name("../../etc/passwd") is None
    assert clean_name("a/../../b") is None


def test_traversal_members_are_skipped_and_nothing_is_written(tmp_path):
    before = set(os.listdir(tmp_path))
    fs = fs_of(tmp_path, layer(file("../../../tmp/evil", "x"), file("ok", "y"), symlink("../escape", "/")))
    assert paths(fs) == {"ok"}
    assert len([w for w in fs.warnings if "climbs out" in w]) == 2
    assert set(os.listdir(tmp_path)) == before | {"image.tar"}
    assert not os.path.exists("/tmp/evil")


def test_manifest_pointing_outside_the_archive_is_refused(tmp_path):
    path = docker_archive(tmp_path / "a.tar", [layer(file("a"))])
    # rewrite the manifest so a layer is "../../etc/passwd"
    bad = tmp_path / "bad.tar"
    with tarfile.open(path) as src, tarfile.open(bad, "w") as dst:
        for m in src.getmembers():
            data = src.extractfile(m).read()
            if m.name == "manifest.json":
                data = data.replace(b'"0-000/layer.tar"', b'"../../etc/passwd"')
                m.size = len(data)
            dst.addfile(m, io.BytesIO(data))
    with pytest.raises(ArchiveError, match="no file"):
        read_filesystem(bad)


def test_oci_digest_with_traversal_is_refused(tmp_path):
    files = oci_layout([layer(file("a"))])
    files["index.json"] = files["index.json"].replace(b'"sha256:', b'"sha256:../../', 1)
    with pytest.raises(ArchiveError, match="bad digest"):
        read_filesystem(oci_dir(tmp_path / "layout", files))


def test_oci_directory_never_follows_a_symlink_out(tmp_path):
    files = oci_layout([layer(file("a"))])
    layout = oci_dir(tmp_path / "layout", files)
    outside = tmp_path / "outside.json"
    outside.write_bytes(files["index.json"])
    (layout / "index.json").unlink()
    (layout / "index.json").symlink_to(outside)
    with pytest.raises(ArchiveError, match="neither"):  # an index.json that leads out is no index.json
        read_filesystem(layout)
    (layout / "index.json").unlink()
    (layout / "index.json").write_bytes(files["index.json"])
    layer_blob = next(layout.glob("blobs/sha256/*"))  # any blob: the reader must refuse the link
    for blob in layout.glob("blobs/sha256/*"):
        target = tmp_path / ("copy-" + blob.name)
        target.write_bytes(blob.read_bytes())
        blob.unlink()
        blob.symlink_to(target)
    with pytest.raises(ArchiveError, match="inside it"):
        read_filesystem(layout)
    assert layer_blob.is_symlink()


def test_a_member_claiming_more_than_its_layer_holds_is_an_error_not_a_hang(tmp_path):
    blob = lying_layer("etc/data", 8 << 30, b"short")
    with pytest.raises(ArchiveError):
        read_filesystem(docker_archive(tmp_path / "lie.tar", [blob]), ALL)


def test_an_oversized_wanted_file_is_not_read_and_says_so(tmp_path):
    big = b"Package: x\n" + b"#" * 5000
    path = docker_archive(tmp_path / "big.tar", [layer(file("var/lib/dpkg/status", big), file("etc/data", "ok"))])
    fs = read_filesystem(path, ALL, limits=Limits(max_file_bytes=4096))
    assert fs.read("var/lib/dpkg/status") is None and fs.exists("var/lib/dpkg/status")
    assert fs.read("etc/data") == b"ok"
    assert [w for w in fs.warnings if "over the read limit" in w] == ["/var/lib/dpkg/status: 5011 bytes, over the read limit; not read"]


def test_total_read_budget_is_shared_by_all_wanted_files(tmp_path):
    members = [file(f"var/lib/dpkg/status.d/p{i}", b"x" * 1000) for i in range(10)]
    path = docker_archive(tmp_path / "many.tar", [layer(*members)])
    fs = read_filesystem(path, ALL, limits=Limits(max_read_bytes=3500))
    read = [n for n in fs.listdir("var/lib/dpkg/status.d") if fs.read(f"var/lib/dpkg/status.d/{n}") is not None]
    assert len(read) == 3


def test_a_decompression_bomb_stops_at_the_expanded_limit(tmp_path):
    bomb = layer(file("zeros", b"\0" * 2_000_000))
    path = docker_archive(tmp_path / "bomb.tar", [bomb], gzip_layers=True)
    assert os.path.getsize(path) < 100_000
    with pytest.raises(ArchiveError, match="expand"):
        read_filesystem(path, limits=Limits(max_expanded_bytes=1_000_000))
    assert read_filesystem(path).exists("zeros")


def test_entry_and_layer_and_member_counts_are_capped(tmp_path):
    many = layer(*[file(f"f{i}") for i in range(50)])
    path = docker_archive(tmp_path / "many.tar", [many, many])
    with pytest.raises(ArchiveError, match="entries"):
        read_filesystem(path, limits=Limits(max_entries=60))
    with pytest.raises(ArchiveError, match="layers"):
        read_filesystem(path, limits=Limits(max_layers=1))
    with pytest.raises(ArchiveError, match="members"):
        read_filesystem(path, limits=Limits(max_archive_members=2))


def test_huge_manifest_json_is_refused(tmp_path):
    path = docker_archive(tmp_path / "a.tar", [layer(file("a"))], cfg=config(env=["X=" + "y" * 10_000]))
    with pytest.raises(ArchiveError, match="over"):
        read_filesystem(path, limits=Limits(max_json_bytes=1000))


def test_truncated_archive_is_an_error(tmp_path):
    path = docker_archive(tmp_path / "a.tar", [layer(file("etc/data", b"z" * 20000))])
    data = path.read_bytes()
    cut = tmp_path / "cut.tar"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ArchiveError):
        read_filesystem(cut, ALL)


def test_device_and_fifo_entries_are_listed_without_size(tmp_path):
    info = tarfile.TarInfo("dev/null")
    info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 3
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        tar.addfile(info)
        fifo = tarfile.TarInfo("run/pipe")
        fifo.type = tarfile.FIFOTYPE
        tar.addfile(fifo)
    fs = fs_of(tmp_path, out.getvalue())
    assert fs.resolve("dev/null")[1].kind == "char" and fs.resolve("run/pipe")[1].kind == "fifo"
