#!/usr/bin/env bash
# Build the dhard end-to-end sandbox: rootful podman configured through
# environment variables (nothing system-wide) and stand-ins for the base images
# the example apps and dhard's rewrites use, built from Debian packages because
# no container registry is reachable here. See e2e/NOTES.md and
# shared/BUILD-SANDBOX.md.
#
# Idempotent: an image is rebuilt only when it is missing or its recipe (the
# files under e2e/sandbox/images/ it is built from, plus the image id of its
# parents) changed; aliases are re-tagged. A second run takes a few seconds.
#
#   bash e2e/sandbox/setup.sh            # install, configure, build what is missing
#   . e2e/sandbox/env.sh                 # then use podman in your shell
#
# Environment:
#   DHARD_SANDBOX_DIR     state directory (default /var/tmp/dhard-sandbox)
#   DHARD_SANDBOX_REBUILD=1   rebuild every image even if present
#   DHARD_SANDBOX_ONLY="python distroless-python3"   build only these steps
#                         (their parents must exist or be listed too)
#   DHARD_SANDBOX_NO_APT=1    do not apt-get install missing host packages
#   DHARD_SANDBOX_JOBS=2      build in two parallel lanes (default); 1: one at a time
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
IMAGES="$HERE/images"
# shellcheck source=env.sh
. "$HERE/env.sh"
DIR="$DHARD_SANDBOX_DIR"
HOST_CA="${DHARD_HOST_CA:-/etc/ssl/certs/ca-certificates.crt}"
REBUILD="${DHARD_SANDBOX_REBUILD:-0}"
ONLY="${DHARD_SANDBOX_ONLY:-}"
JOBS="${DHARD_SANDBOX_JOBS:-2}"
LOG_DIR="$DIR/logs"
TIMINGS_FILE="$LOG_DIR/timings.$$"

T0=$(date +%s.%N)
CURRENT_STEP="start"
LAST_BUILT=""
declare -A STEP_IMAGE

die() { echo "setup.sh: ERROR: $*" >&2; exit 1; }
trap 'rc=$?; echo "setup.sh: FAILED in step \"$CURRENT_STEP\" (exit $rc); see the output above${LOG_HINT:+ and $LOG_HINT}" >&2; exit $rc' ERR

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
# step NAME -- begin a timed step; end_step STATUS -- print and record it as
# one line (steps of parallel lanes interleave line by line).
STEP_T=0
step() { CURRENT_STEP="$1"; STEP_T=$(now); LOG_HINT=""; }
end_step() {
    local line
    line=$(printf '%-36s %-8s %6ss' "$CURRENT_STEP" "$1" "$(elapsed "$STEP_T")")
    echo "==> $line"
    echo "$line" >>"$TIMINGS_FILE"
}

wanted() { # wanted STEP -> true if DHARD_SANDBOX_ONLY is empty or lists it
    [ -z "$ONLY" ] && return 0
    case " $ONLY " in *" $1 "*) return 0 ;; esac
    return 1
}

# ---------------------------------------------------------------- packages
HOST_PKGS=(podman buildah runc fuse-overlayfs slirp4netns uidmap containernetworking-plugins
    golang-github-containers-common catatonit iptables mmdebstrap curl)

install_packages() {
    step "host packages"
    local missing=() p
    for p in "${HOST_PKGS[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then end_step "present"; return; fi
    [ "${DHARD_SANDBOX_NO_APT:-0}" = 1 ] && die "missing host packages: ${missing[*]} (DHARD_SANDBOX_NO_APT=1)"
    [ "$(id -u)" = 0 ] || die "missing host packages (${missing[*]}) and not root; install them first"
    mkdir -p "$LOG_DIR"
    LOG_HINT="$LOG_DIR/apt.log"
    if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; } >"$LOG_DIR/apt.log" 2>&1; then
        tail -n 30 "$LOG_DIR/apt.log" >&2
        die "apt-get install ${missing[*]} failed (log: $LOG_DIR/apt.log)"
    fi
    end_step "installed"
}

# ---------------------------------------------------------------- config
write_config() {
    step "podman config"
    mkdir -p "$DIR/storage/graph" "$DIR/storage/run" "$DIR/tmp" "$DIR/libpod-tmp" "$LOG_DIR" "$DIR/cni"
    # Written every run (cheap) so a changed DHARD_SANDBOX_DIR is honoured.
    cat >"$DIR/containers.conf.new" <<EOF
# Written by e2e/sandbox/setup.sh; used through CONTAINERS_CONF.
[containers]
# root on these machines cannot raise rlimits: crun/runc fail with
# "setrlimit RLIMIT_NOFILE: Operation not permitted" unless they are pinned.
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
# crun: "cgroups in hybrid mode not supported"
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$DIR/events.log"
tmp_dir = "$DIR/libpod-tmp"
image_copy_tmp_dir = "$DIR/tmp"

[network]
network_config_dir = "$DIR/cni"
EOF
    cat >"$DIR/storage.conf.new" <<EOF
# Written by e2e/sandbox/setup.sh; used through CONTAINERS_STORAGE_CONF.
[storage]
driver = "overlay"
graphroot = "$DIR/storage/graph"
runroot = "$DIR/storage/run"
EOF
    local f changed=0
    for f in containers.conf storage.conf; do
        if cmp -s "$DIR/$f.new" "$DIR/$f"; then
            rm -f "$DIR/$f.new"
        else
            mv "$DIR/$f.new" "$DIR/$f"   # atomic: other podman processes may be reading it
            changed=1
        fi
    done
    end_step "$([ $changed = 1 ] && echo written || echo same)"
}

# ---------------------------------------------------------------- images
# Recipe key: hash of the recipe files plus the ids of the parent images, stored
# as the label dhard.recipe. An image whose label matches is up to date.
recipe_key() { # recipe_key FILE... -- PARENT_IMAGE...
    local files=() parents=() sep=0 a
    for a in "$@"; do
        if [ "$a" = -- ]; then sep=1; continue; fi
        if [ $sep = 0 ]; then files+=("$a"); else parents+=("$a"); fi
    done
    {
        for a in "${files[@]}"; do printf '%s\n' "${a#"$IMAGES"/}"; cat "$a"; done
        for a in "${parents[@]}"; do podman image inspect --format '{{.Id}}' "$a"; done
    } | sha256sum | cut -c1-16
}

image_key() { podman image inspect --format '{{index .Labels "dhard.recipe"}}' "$1" 2>/dev/null || true; }

up_to_date() { # up_to_date IMAGE KEY
    [ "$REBUILD" = 1 ] && return 1
    [ "$(image_key "$1")" = "$2" ]
}

# drop_old OLD_ID IMAGE: after IMAGE was rebuilt, remove its previous version
# if nothing uses it any more (no prune: that races with concurrent builds,
# whose intermediate images are untagged too).
drop_old() {
    local old=$1 img=$2 new
    [ -n "$old" ] || return 0
    new=$(podman image inspect --format '{{.Id}}' "$img")
    [ "$old" = "$new" ] && return 0
    [ -z "$(podman image inspect --format '{{join .RepoTags " "}}' "$old" 2>/dev/null)" ] || return 0
    podman rmi "$old" >/dev/null 2>&1 || true
}

tag_aliases() { # tag_aliases IMAGE ALIAS...
    local img=$1 a; shift
    for a in "$@"; do podman tag "$img" "$a"; done
}

# podman_build NAME IMAGE KEY CONTAINERFILE CONTEXT [extra podman build args]
podman_build() {
    local name=$1 img=$2 key=$3 cf=$4 ctx=$5; shift 5
    local log="$LOG_DIR/$name.log"
    LOG_HINT="$log"
    if ! podman build --pull=never --format docker --layers \
            --secret "id=hostca,src=$HOST_CA" \
            --label "dhard.recipe=$key" --label "dhard.sandbox=1" \
            -f "$cf" -t "$img" "$@" "$ctx" >"$log" 2>&1; then
        echo "==> $name FAILED" >&2
        tail -n 40 "$log" >&2
        die "building $img failed (full log: $log)"
    fi
}

# image STEP IMAGE CONTAINERFILE PARENTS ALIASES [-- build args]
# PARENTS and ALIASES are space-separated strings.
image() {
    local name=$1 img=$2 cf=$3 parents=$4 aliases=$5; shift 5
    [ "${1:-}" = -- ] && shift
    wanted "$name" || return 0
    STEP_IMAGE[$name]=$img
    step "$name"
    local ctx; ctx=$(dirname "$cf")
    local files=("$cf") f
    # every non-Containerfile file of the context is part of the recipe
    while IFS= read -r f; do files+=("$f"); done < <(find "$ctx" -maxdepth 1 -type f ! -name 'Containerfile*' | sort)
    local p
    for p in $parents; do podman image exists "$p" || die "$name needs $p, which is missing (build it first)"; done
    # shellcheck disable=SC2086
    local key; key=$(recipe_key "${files[@]}" -- $parents)
    if up_to_date "$img" "$key"; then
        # shellcheck disable=SC2086
        tag_aliases "$img" $aliases
        end_step "cached"
        return
    fi
    local old_id; old_id=$(podman image inspect --format '{{.Id}}' "$img" 2>/dev/null || true)
    echo "... building $name ($img)"
    podman_build "$name" "$img" "$key" "$cf" "$ctx" "$@"
    # shellcheck disable=SC2086
    tag_aliases "$img" $aliases
    drop_old "$old_id" "$img"
    LAST_BUILT="$LAST_BUILT $name"
    end_step "built"
}

# The machine's apt sources as one-line "deb" entries for the Debian suites
# (bookworm, bookworm-updates, bookworm-security, ...). Disabled files
# (*.disabled*, *.save) and third-party suites are ignored.
apt_mirror_lines() {
    python3 - <<'PY'
import glob, os, re, sys
files = []
if os.path.exists("/etc/apt/sources.list"):
    files.append("/etc/apt/sources.list")
files += sorted(glob.glob("/etc/apt/sources.list.d/*.list"))
files += sorted(glob.glob("/etc/apt/sources.list.d/*.sources"))
out = []
def add(uri, suite, comps):
    if not re.match(r"^bookworm(-updates|-security|-backports)?(/updates)?$", suite):
        return
    if suite.endswith("backports"):
        return
    comps = [c for c in comps if c in ("main",)] or ["main"]
    line = f"deb {uri} {suite} {' '.join(comps)}"
    if line not in out:
        out.append(line)
for f in files:
    text = open(f, encoding="utf-8", errors="replace").read()
    if f.endswith(".list"):
        for raw in text.splitlines():
            raw = raw.split("#", 1)[0].strip()
            if not raw.startswith("deb "):
                continue
            raw = re.sub(r"\[[^]]*\]", "", raw)
            parts = raw.split()
            if len(parts) >= 3:
                add(parts[1], parts[2], parts[3:])
    else:
        for para in re.split(r"\n\s*\n", text):
            fields = {}
            key = None
            for raw in para.splitlines():
                if raw.startswith("#"):
                    continue
                if raw[:1] in (" ", "\t") and key:
                    fields[key] += " " + raw.strip()
                    continue
                if ":" in raw:
                    key, val = raw.split(":", 1)
                    key = key.strip().lower()
                    fields[key] = val.strip()
            if "deb" not in fields.get("types", "").split():
                continue
            if fields.get("enabled", "yes").lower() == "no":
                continue
            for uri in fields.get("uris", "").split():
                for suite in fields.get("suites", "").split():
                    add(uri, suite, fields.get("components", "").split())
if not out:
    sys.exit("no Debian bookworm apt sources found in /etc/apt/sources.list{,.d}")
print("\n".join(out))
PY
}

# bootstrap STEP IMAGE SUITE MIRRORS KEYRING ALIASES: a minbase root of SUITE
# from MIRRORS (one-line "deb" entries; KEYRING: the file that verifies them,
# empty for the host's Debian keyring), with the dpkg path filters and the
# clean-up of the official slim images, imported as IMAGE.
bootstrap() {
    local name=$1 img=$2 suite=$3 mirrors=$4 keyring=$5 aliases=$6
    wanted "$name" || return 0
    STEP_IMAGE[$name]=$img
    step "$name"
    # Debian 12 needs mmdebstrap's merged-usr hook; Ubuntu's usr-is-merged package does it itself, and
    # its apt is not Priority: required, which is all minbase takes there
    local hooks=(--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr)
    [ -z "$keyring" ] || hooks=(--include=apt)
    local key
    key=$( { cat "$IMAGES/debian/dpkg-slim.cfg" "$IMAGES/debian/slimify.sh"; echo "$mirrors"; \
             [ -z "$keyring" ] || { echo "$suite ${hooks[*]}"; cat "$keyring"; }; } | sha256sum | cut -c1-16)
    if up_to_date "$img" "$key"; then
        # shellcheck disable=SC2086
        tag_aliases "$img" $aliases
        end_step "cached"
        return
    fi
    local log="$LOG_DIR/$name.log" tar="$DIR/tmp/$name-$suite.tar"
    LOG_HINT="$log"
    # dpkg excludes as in the official slim image; they stay in the image
    local dpkgopts=() l
    while IFS= read -r l; do
        case "$l" in ''|'#'*) continue ;; esac
        dpkgopts+=(--dpkgopt="$l")
    done <"$IMAGES/debian/dpkg-slim.cfg"
    [ -z "$keyring" ] || dpkgopts+=(--keyring="$keyring")
    local old_id; old_id=$(podman image inspect --format '{{.Id}}' "$img" 2>/dev/null || true)
    rm -f "$tar"
    # mirrors are passed on stdin ("-"), one-line format
    if ! echo "$mirrors" | mmdebstrap --variant=minbase --mode=root --format=tar \
            "${dpkgopts[@]}" \
            --aptopt='Acquire::Languages "none"' \
            "${hooks[@]}" \
            --customize-hook="$IMAGES/debian/slimify.sh" \
            "$suite" "$tar" - >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        die "mmdebstrap failed (log: $log)"
    fi
    if ! podman import --change 'CMD ["bash"]' --change "LABEL dhard.recipe=$key" \
            --change 'LABEL dhard.sandbox=1' "$tar" "$img" >>"$log" 2>&1; then
        tail -n 20 "$log" >&2
        die "podman import failed (log: $log)"
    fi
    rm -f "$tar"
    # shellcheck disable=SC2086
    tag_aliases "$img" $aliases
    drop_old "$old_id" "$img"
    end_step "built"
}

build_debian() {
    local mirrors
    mirrors=$(apt_mirror_lines) || die "cannot read the machine's apt sources"
    bootstrap debian docker.io/library/debian:bookworm-slim bookworm "$mirrors" "" \
        "docker.io/library/debian:bookworm docker.io/library/debian:12-slim docker.io/library/debian:12"
}

# Ubuntu 24.04 from Ubuntu's archive (DHARD_UBUNTU_MIRROR), verified with the
# archive keys of Ubuntu's ubuntu-keyring package, itself checked against the
# sha256 its Packages index gives (Debian does not package Ubuntu's keys).
UBUNTU_MIRROR="${DHARD_UBUNTU_MIRROR:-http://archive.ubuntu.com/ubuntu}"
UBUNTU_KEYRING_DEB=pool/main/u/ubuntu-keyring/ubuntu-keyring_2023.11.28.1_all.deb
UBUNTU_KEYRING_SHA256=36de43b15853ccae0028e9a767613770c704833f82586f28eb262f0311adb8a8
ubuntu_keyring() {
    local deb="$DIR/tmp/ubuntu-keyring.deb" out="$DIR/ubuntu-archive-keyring.gpg"
    if [ ! -s "$out" ]; then
        curl -fsSL --retry 3 -o "$deb" "$UBUNTU_MIRROR/$UBUNTU_KEYRING_DEB" || die "cannot download $UBUNTU_KEYRING_DEB"
        echo "$UBUNTU_KEYRING_SHA256  $deb" | sha256sum -c --quiet - || die "$UBUNTU_KEYRING_DEB: wrong sha256"
        dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/keyrings/ubuntu-archive-keyring.gpg >"$out.new"
        mv "$out.new" "$out"
        rm -f "$deb"
    fi
    echo "$out"
}
build_ubuntu() {
    wanted ubuntu || return 0
    local keyring m="$UBUNTU_MIRROR"
    keyring=$(ubuntu_keyring)
    bootstrap ubuntu docker.io/library/ubuntu:24.04 noble \
        "deb $m noble main universe"$'\n'"deb $m noble-updates main universe"$'\n'"deb $m noble-security main universe" "$keyring" \
        "docker.io/library/ubuntu:noble"
}

nonroot() { # nonroot STEP BASE_IMAGE -- builds BASE's :nonroot from BASE (:latest)
    local name=$1 base=$2
    local repo=${base%:latest}
    image "$name" "$repo:nonroot" "$IMAGES/distroless/Containerfile.nonroot" "$base" "" \
        -- --build-arg "BASE=$base"
}

# smoke STEP EXPECT RUN-ARGS...: when STEP was just built, run
# `podman run --rm RUN-ARGS` once and require EXPECT (grep -E) in the output;
# on failure the step's image is removed so the next run rebuilds it.
smoke() {
    local name=$1 expect=$2; shift 2
    case " $LAST_BUILT " in *" $name "*) ;; *) return 0 ;; esac
    local out
    out=$(podman run --rm --pull=never --network=none "$@" 2>&1) || true
    if ! printf '%s\n' "$out" | grep -q -E -- "$expect"; then
        printf '%s\n' "$out" >&2
        podman rmi -f "${STEP_IMAGE[$name]}" >/dev/null 2>&1 || true
        die "smoke test of ${STEP_IMAGE[$name]} failed: expected /$expect/ in the output above (image removed)"
    fi
}

check_engine() {
    step "engine check (podman run)"
    LOG_HINT="$LOG_DIR/check.log"
    if ! podman run --rm --pull=never --network=none docker.io/library/debian:bookworm-slim true >"$LOG_DIR/check.log" 2>&1; then
        cat "$LOG_DIR/check.log" >&2
        die "podman run does not work"
    fi
    end_step "ok"
}

D=docker.io/library
GD=gcr.io/distroless
UB=docker.io/ubuntu

# Two lanes of independent images (after debian), balanced for 2 cores.
lane_a() {
    image python "$D/python:3.11-slim" "$IMAGES/python/Containerfile" "$D/debian:bookworm-slim" \
        "$D/python:3.11 $D/python:3.11-bookworm $D/python:3.11-slim-bookworm $D/python:3-slim $D/python:3"
    smoke python '^python ok /usr$' "$D/python:3.11-slim" python -c 'import sys, ssl, sqlite3; print("python ok", sys.prefix)'

    image node "$D/node:22-bookworm-slim" "$IMAGES/node/Containerfile" "$D/debian:bookworm-slim $D/python:3.11-slim" \
        "$D/node:22 $D/node:22-slim $D/node:22-bookworm $D/node:lts-bookworm-slim $D/node:lts-slim"
    smoke node '^v22\.' "$D/node:22-bookworm-slim" --version

    image golang "$D/golang:1.19-bookworm" "$IMAGES/golang/Containerfile" "$D/debian:bookworm-slim" \
        "$D/golang:1.19"
    smoke golang '^go version go1\.19' "$D/golang:1.19-bookworm" go version

    image rust "$D/rust:1.63.0-bookworm" "$IMAGES/rust/Containerfile" "$D/debian:bookworm-slim" \
        "$D/rust:1-bookworm $D/rust:1 $D/rust:bookworm $D/rust:latest $D/rust:slim $D/rust:1-slim $D/rust:1-slim-bookworm $D/rust:slim-bookworm $D/rust:1.63 $D/rust:1.63-bookworm $D/rust:1.63.0 $D/rust:1.63-slim-bookworm"
    smoke rust '^rustc 1\.63' "$D/rust:1.63.0-bookworm" rustc --version

    # needs node (this lane) and the distroless build layer (lane b, usually
    # done by now; if not, it is built twice, which is only slower)
    image distroless-nodejs22 "$GD/nodejs22-debian12:latest" "$IMAGES/distroless/Containerfile.nodejs22" \
        "$D/debian:bookworm-slim $D/node:22-bookworm-slim" ""
    smoke distroless-nodejs22 '^v22\.' "$GD/nodejs22-debian12:latest" -e 'console.log(process.version)'
    nonroot distroless-nodejs22-nonroot "$GD/nodejs22-debian12:latest"

    # Alpine's outside on the Debian stand-ins (no Alpine mirror here): see images/alpine/Containerfile.python
    image python-alpine "$D/python:3.11-alpine" "$IMAGES/alpine/Containerfile.python" \
        "$D/debian:bookworm-slim $D/python:3.11-slim" "$D/python:3.11-alpine3.20"
    smoke python-alpine '^alpine ok$' "$D/python:3.11-alpine" sh -c 'test -f /etc/alpine-release && apk add x >/dev/null && adduser -S -D t && echo alpine ok'
    image node-alpine "$D/node:22-alpine" "$IMAGES/alpine/Containerfile.node" \
        "$D/debian:bookworm-slim $D/node:22-bookworm-slim" "$D/node:22-alpine3.20"
    smoke node-alpine '^v22\.' "$D/node:22-alpine" node --version

    # the official nginx image and its Alpine variant (images/nginx/Containerfile)
    image nginx "$D/nginx:1.27" "$IMAGES/nginx/Containerfile" "$D/debian:bookworm-slim" "$D/nginx:1.27-bookworm $D/nginx:1"
    smoke nginx 'test is successful' "$D/nginx:1.27" nginx -t
    image nginx-alpine "$D/nginx:1.27-alpine" "$IMAGES/alpine/Containerfile.nginx" \
        "$D/debian:bookworm-slim $D/nginx:1.27" "$D/nginx:1.27-alpine3.20 $D/nginx:alpine"
    smoke nginx-alpine '^alpine ok$' "$D/nginx:1.27-alpine" sh -c 'test -f /etc/alpine-release && nginx -t 2>/dev/null && echo alpine ok'
    image nginx-unprivileged "docker.io/nginxinc/nginx-unprivileged:1.27" "$IMAGES/nginx-unprivileged/Containerfile" \
        "$D/nginx:1.27" "docker.io/nginxinc/nginx-unprivileged:1.27-bookworm"
    smoke nginx-unprivileged 'test is successful' "docker.io/nginxinc/nginx-unprivileged:1.27" nginx -t
}

lane_b() {
    image distroless-static "$GD/static-debian12:latest" "$IMAGES/distroless/Containerfile.static" "$D/debian:bookworm-slim" ""
    nonroot distroless-static-nonroot "$GD/static-debian12:latest"
    image distroless-base "$GD/base-debian12:latest" "$IMAGES/distroless/Containerfile.base" "$D/debian:bookworm-slim" ""
    nonroot distroless-base-nonroot "$GD/base-debian12:latest"
    image distroless-cc "$GD/cc-debian12:latest" "$IMAGES/distroless/Containerfile.cc" "$D/debian:bookworm-slim" ""
    nonroot distroless-cc-nonroot "$GD/cc-debian12:latest"
    image distroless-python3 "$GD/python3-debian12:latest" "$IMAGES/distroless/Containerfile.python3" "$D/debian:bookworm-slim" ""
    smoke distroless-python3 '^ok 0 3\.11' "$GD/python3-debian12:latest" -c 'import os, sys, ssl, sqlite3, zlib; print("ok", os.getuid(), sys.version)'
    nonroot distroless-python3-nonroot "$GD/python3-debian12:latest"
    smoke distroless-python3-nonroot '^ok 65532 /home/nonroot' "$GD/python3-debian12:nonroot" -c 'import os; print("ok", os.getuid(), os.getcwd())'
    image distroless-java17 "$GD/java17-debian12:latest" "$IMAGES/distroless/Containerfile.java17" "$D/debian:bookworm-slim" ""
    smoke distroless-java17 'file\.encoding = UTF-8' --entrypoint /usr/bin/java "$GD/java17-debian12:latest" -XshowSettings:properties -version
    nonroot distroless-java17-nonroot "$GD/java17-debian12:latest"

    image temurin "$D/eclipse-temurin:17-jdk" "$IMAGES/temurin/Containerfile" "$D/debian:bookworm-slim" \
        "$D/eclipse-temurin:17 $D/eclipse-temurin:17-jdk-jammy $D/eclipse-temurin:17-jre $D/eclipse-temurin:17-jre-jammy"
    smoke temurin 'file\.encoding = UTF-8' "$D/eclipse-temurin:17-jdk" java -XshowSettings:properties -version

    # Ubuntu 24.04, Python 3.12 on it (Debian has none) and Ubuntu's chiseled Python (--target ubuntu)
    build_ubuntu
    image python312 "$D/python:3.12-slim" "$IMAGES/python/Containerfile.3.12" "$D/ubuntu:24.04" "$D/python:3.12"
    smoke python312 '^python ok /usr 3\.12' "$D/python:3.12-slim" python -c 'import sys, ssl, sqlite3; print("python ok", sys.prefix, sys.version)'
    image ubuntu-python "$UB/python:3.12-24.04_stable" "$IMAGES/ubuntu/Containerfile.python" "$D/ubuntu:24.04" \
        "$UB/python:3.12-24.04"
    smoke ubuntu-python '^ok 584792 /var/lib/pebble/default 3\.12' --entrypoint /usr/bin/python3 "$UB/python:3.12-24.04_stable" \
        -c 'import os, sys, ssl; print("ok", os.getuid(), os.environ.get("HOME"), sys.version)'
}

# Chainguard and Docker Hardened Images stand-ins (the targets of
# `dhard harden --target chainguard|dhi`): each is a distroless stand-in's root
# re-laid out as the real image documents it (e2e/NOTES.md, "Chainguard and DHI
# stand-ins"), so they need both lanes above to be done. Tagged with the exact
# references dhard writes.
CG=cgr.dev/chainguard
DHI=dhi.io
lane_chainguard() {
    local c="$IMAGES/chainguard"
    image chainguard-python "$CG/python:latest" "$c/Containerfile.python" "$D/debian:bookworm-slim $GD/python3-debian12:latest" ""
    smoke chainguard-python '^ok 65532 /usr /$' "$CG/python:latest" -c 'import os, sys, ssl; print("ok", os.getuid(), sys.prefix, os.getcwd())'
    image chainguard-node "$CG/node:latest" "$c/Containerfile.node" "$D/debian:bookworm-slim $GD/nodejs22-debian12:latest" ""
    smoke chainguard-node '^ok 65532 /app v22\.' "$CG/node:latest" -e 'console.log("ok", process.getuid(), process.cwd(), process.version)'
    image chainguard-jre "$CG/jre:latest" "$c/Containerfile.jre" \
        "$D/debian:bookworm-slim $GD/java17-debian12:latest $D/eclipse-temurin:17-jdk" ""
    smoke chainguard-jre 'file\.encoding = UTF-8' "$CG/jre:latest" -XshowSettings:properties -version
    image chainguard-static "$CG/static:latest" "$c/Containerfile.static" "$D/debian:bookworm-slim $GD/static-debian12:latest" ""
    image chainguard-glibc-dynamic "$CG/glibc-dynamic:latest" "$c/Containerfile.glibc-dynamic" \
        "$D/debian:bookworm-slim $GD/cc-debian12:latest" ""
    image chainguard-nginx "$CG/nginx:latest" "$c/Containerfile.nginx" \
        "$D/nginx:1.27 $GD/base-debian12:latest" ""
    smoke chainguard-nginx 'test is successful' "$CG/nginx:latest" -t -c /etc/nginx/nginx.conf -e /dev/stderr
}
lane_dhi() {
    local d="$IMAGES/dhi"
    image dhi-python "$DHI/python:3.11" "$d/Containerfile.python" "$D/debian:bookworm-slim $GD/python3-debian12:latest" \
        "$DHI/python:3.11-debian12"
    smoke dhi-python '^ok 65532 /opt/python' "$DHI/python:3.11" python3 -c 'import os, sys, ssl; print("ok", os.getuid(), sys.prefix)'
    image dhi-node "$DHI/node:22" "$d/Containerfile.node" "$D/debian:bookworm-slim $GD/nodejs22-debian12:latest" \
        "$DHI/node:22-debian12"
    smoke dhi-node '^ok 1000 /app v22\.' "$DHI/node:22" node -e 'console.log("ok", process.getuid(), process.cwd(), process.version)'
    image dhi-eclipse-temurin "$DHI/eclipse-temurin:17" "$d/Containerfile.eclipse-temurin" \
        "$D/debian:bookworm-slim $GD/java17-debian12:latest $D/eclipse-temurin:17-jdk" "$DHI/eclipse-temurin:17-debian12"
    smoke dhi-eclipse-temurin 'java\.home = /opt/java/openjdk/17-jre' "$DHI/eclipse-temurin:17" java -XshowSettings:properties -version
    smoke dhi-eclipse-temurin 'file\.encoding = UTF-8' "$DHI/eclipse-temurin:17" java -XshowSettings:properties -version
    image dhi-static "$DHI/static:20250419" "$d/Containerfile.static" "$D/debian:bookworm-slim $GD/static-debian12:latest" \
        "$DHI/static:20250419-debian12"
    image dhi-static-glibc "$DHI/static:20250419-glibc" "$d/Containerfile.static-glibc" \
        "$D/debian:bookworm-slim $GD/base-debian12:latest" "$DHI/static:20250419-glibc-debian12"
    image dhi-nginx "$DHI/nginx:1.27" "$d/Containerfile.nginx" "$D/nginx:1.27 $GD/base-debian12:latest" \
        "$DHI/nginx:1.27-debian12"
    smoke dhi-nginx 'test is successful' "$DHI/nginx:1.27" -t
}

ALL_IMAGES=(
    "$D/debian:bookworm-slim" "$D/python:3.11-slim" "$D/node:22-bookworm-slim" "$D/golang:1.19-bookworm"
    "$D/eclipse-temurin:17-jdk" "$D/rust:1.63.0-bookworm"
    "$GD/static-debian12:latest" "$GD/static-debian12:nonroot" "$GD/base-debian12:latest" "$GD/base-debian12:nonroot"
    "$GD/cc-debian12:latest" "$GD/cc-debian12:nonroot" "$GD/python3-debian12:latest" "$GD/python3-debian12:nonroot"
    "$GD/nodejs22-debian12:latest" "$GD/nodejs22-debian12:nonroot" "$GD/java17-debian12:latest" "$GD/java17-debian12:nonroot"
    "$D/python:3.11-alpine" "$D/node:22-alpine"
    "$CG/python:latest" "$CG/node:latest" "$CG/jre:latest" "$CG/static:latest" "$CG/glibc-dynamic:latest"
    "$DHI/python:3.11" "$DHI/node:22" "$DHI/eclipse-temurin:17" "$DHI/static:20250419" "$DHI/static:20250419-glibc"
    "$D/nginx:1.27" "$D/nginx:1.27-alpine" "docker.io/nginxinc/nginx-unprivileged:1.27" "$CG/nginx:latest" "$DHI/nginx:1.27"
    "$D/ubuntu:24.04" "$D/python:3.12-slim" "$UB/python:3.12-24.04_stable"
)

main() {
    echo "dhard sandbox: $DIR"
    mkdir -p "$DIR" "$LOG_DIR"
    # One setup at a time per sandbox (tests run this as a fixture, maybe in
    # several processes); a second run waits, then finds everything cached.
    exec 9>"$DIR/setup.lock"
    if ! flock -n 9; then
        echo "setup.sh: another setup.sh is running on $DIR; waiting for it"
        flock -w 1800 9 || die "timed out waiting for $DIR/setup.lock"
    fi
    : >"$TIMINGS_FILE"
    install_packages
    write_config
    [ -r "$HOST_CA" ] || die "host CA bundle $HOST_CA not readable (set DHARD_HOST_CA)"

    build_debian
    check_engine

    if [ "$JOBS" -ge 2 ]; then
        # the ERR trap (set -E) and die() end a lane's subshell with an error
        lane_a & local pa=$!
        lane_b & local pb=$!
        local fa=0 fb=0
        wait "$pa" || fa=$?
        wait "$pb" || fb=$?
        CURRENT_STEP="parallel lanes"
        [ "$fa" = 0 ] && [ "$fb" = 0 ] || die "a build lane failed (see the errors above)"
        lane_chainguard & pa=$!
        lane_dhi & pb=$!
        fa=0 fb=0
        wait "$pa" || fa=$?
        wait "$pb" || fb=$?
        CURRENT_STEP="parallel lanes (chainguard, dhi)"
        [ "$fa" = 0 ] && [ "$fb" = 0 ] || die "a build lane failed (see the errors above)"
    else
        lane_a
        lane_b
        lane_chainguard
        lane_dhi
    fi

    CURRENT_STEP="done"
    echo
    echo "Timings (lanes run in parallel with DHARD_SANDBOX_JOBS=$JOBS):"
    sed 's/^/  /' "$TIMINGS_FILE"
    printf '  %-36s %-8s %6ss\n' "TOTAL" "" "$(elapsed "$T0")"
    rm -f "$TIMINGS_FILE"
    echo
    echo "Stand-in images:"
    local img
    for img in "${ALL_IMAGES[@]}"; do
        podman image exists "$img" || continue
        printf '  %-48s %s\n' "$img" "$(podman image inspect --format '{{.Size}}' "$img" | awk '{ printf "%.0f MB", $1 / 1e6 }')"
    done
    echo
    echo "Use the sandbox in your shell with:"
    echo "export DHARD_SANDBOX_DIR=$DIR CONTAINERS_CONF=$CONTAINERS_CONF CONTAINERS_STORAGE_CONF=$CONTAINERS_STORAGE_CONF"
    echo "(or: . $HERE/env.sh)"
}

main "$@"; exit $?
