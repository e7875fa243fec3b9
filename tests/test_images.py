"""The base-image knowledge base: hardener/data/images.yaml + the hardener.images package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hardener import images
from hardener.images import ImageInfo, lookup
from hardener.images import cli as images_cli
from hardener.images import data as image_data
from hardener.images import knowledge as image_knowledge
from hardener.images import schema as image_schema
from hardener.record import FrozenInstanceError, fields
from hardener.syntax.imageref import split_reference

ROOT = Path(__file__).resolve().parent.parent

PACKAGE_MANAGERS = {"apt", "apk", "dnf", "microdnf", "yum", "zypper", "tdnf", "none"}
LIBCS = {"glibc", "musl", "uclibc", "none"}
RUNTIMES = {"python", "node", "go", "java", "ruby", "php", "rust", "dotnet", "bun"}


def ref(text: str) -> tuple[str | None, str, str | None]:
    """'gcr.io/distroless/static-debian12:nonroot' -> (registry, repository, tag) as ImageRef gives them."""
    return split_reference(text)[:3]


def info(text: str, extra=None) -> ImageInfo:
    return lookup(*ref(text), extra=extra)


def check(text: str, **expected) -> ImageInfo:
    found = info(text)
    assert found.known, f"{text} should be known"
    got = {name: getattr(found, name) for name in expected}
    assert got == expected, f"{text}: {got} != {expected}"
    return found


# ---------------------------------------------------------------------------
# Facts per family, with concrete references
# ---------------------------------------------------------------------------

CASES = [
    # --- operating systems -------------------------------------------------------
    ("debian:12-slim", dict(key="debian", family="debian", os_version="12", default_user="root", default_uid=0,
                            has_shell=True, package_manager="apt", libc="glibc", hardened=False)),
    ("debian:bookworm", dict(family="debian", os_version="12")),
    ("debian:bullseye-slim", dict(family="debian", os_version="11")),
    ("debian:trixie", dict(family="debian", os_version="13")),
    ("debian:buster", dict(family="debian", os_version="10")),
    ("ubuntu:22.04", dict(key="ubuntu", family="ubuntu", os_version="22.04", package_manager="apt", nonroot_user=None)),
    ("ubuntu:jammy", dict(family="ubuntu", os_version="22.04")),
    ("ubuntu:focal", dict(family="ubuntu", os_version="20.04")),
    ("ubuntu:noble", dict(family="ubuntu", os_version="24.04", default_user="root", nonroot_user="ubuntu", nonroot_uid=1000)),
    ("ubuntu:24.04", dict(os_version="24.04", nonroot_user="ubuntu")),
    ("alpine:3.19", dict(key="alpine", family="alpine", os_version="3.19", package_manager="apk", libc="musl",
                         has_shell=True, default_user="root")),
    ("alpine:3.20.3", dict(os_version="3.20")),
    ("alpine:edge", dict(family="alpine", os_version=None)),
    ("busybox", dict(key="busybox", family="busybox", has_shell=True, package_manager="none", default_user="root")),
    ("busybox:1.36-musl", dict(libc="musl")),
    ("busybox:1.36-uclibc", dict(libc="uclibc")),
    ("fedora:40", dict(key="fedora", family="fedora", os_version="40", package_manager="dnf", has_shell=True)),
    ("rockylinux:9", dict(key="rockylinux", family="rhel", os_version="9", package_manager="dnf")),
    ("rockylinux:9-minimal", dict(package_manager="microdnf")),
    ("quay.io/rockylinux/rockylinux:9", dict(key="rockylinux", package_manager="dnf")),
    ("almalinux:9", dict(key="almalinux", family="rhel", os_version="9", package_manager="dnf")),
    ("almalinux:9-minimal", dict(package_manager="microdnf")),
    ("almalinux/9-minimal", dict(key="almalinux-variant", os_version="9", package_manager="microdnf")),
    ("almalinux/9-micro", dict(package_manager="none", has_shell=None)),
    ("centos:7", dict(key="centos", family="rhel", os_version="7", package_manager="yum")),
    ("centos:8", dict(package_manager="dnf")),
    ("quay.io/centos/centos:stream9", dict(key="centos", os_version="9", package_manager="dnf")),
    ("oraclelinux:9", dict(key="oraclelinux", package_manager="dnf")),
    ("oraclelinux:8-slim", dict(package_manager="microdnf")),
    ("amazonlinux:2", dict(key="amazonlinux", family="amazonlinux", os_version="2", package_manager="yum")),
    ("amazonlinux:2023", dict(os_version="2023", package_manager="dnf")),
    # --- Red Hat UBI -------------------------------------------------------------------
    ("registry.access.redhat.com/ubi9/ubi:9.4", dict(key="ubi", family="rhel", os_version="9", package_manager="dnf",
                                                     has_shell=True, default_user="root")),
    ("registry.access.redhat.com/ubi8", dict(key="ubi", os_version="8", package_manager="dnf")),
    ("registry.access.redhat.com/ubi7/ubi", dict(os_version="7", package_manager="yum")),
    ("registry.redhat.io/ubi9/ubi", dict(key="ubi", os_version="9")),
    ("redhat/ubi9", dict(key="ubi", os_version="9")),
    ("registry.access.redhat.com/ubi9/ubi-minimal", dict(key="ubi-minimal", package_manager="microdnf", has_shell=True)),
    ("registry.access.redhat.com/ubi8-minimal:8.10", dict(key="ubi-minimal", os_version="8", package_manager="microdnf")),
    ("redhat/ubi9-minimal", dict(key="ubi-minimal", package_manager="microdnf")),
    # ubi-micro: no package manager, but bash is there
    ("registry.access.redhat.com/ubi9/ubi-micro", dict(key="ubi-micro", package_manager="none", has_shell=True,
                                                       hardened=False, default_user="root")),
    ("registry.access.redhat.com/ubi8-micro", dict(key="ubi-micro", os_version="8", package_manager="none")),
    ("registry.access.redhat.com/ubi9/ubi-init", dict(key="ubi-init", package_manager="dnf")),
    ("registry.access.redhat.com/ubi9/python-311", dict(key="ubi/python", runtime="python", runtime_version="3.11",
                                                        default_user="1001", default_uid=1001)),
    ("registry.access.redhat.com/ubi9/nodejs-20-minimal", dict(key="ubi/nodejs", runtime="node", runtime_version="20",
                                                               package_manager="microdnf", default_uid=1001)),
    ("registry.access.redhat.com/ubi9/openjdk-21-runtime", dict(key="ubi/openjdk", runtime_version="21", default_uid=185)),
    # --- SUSE ------------------------------------------------------------------------------
    ("opensuse/leap:15.6", dict(key="opensuse/leap", family="suse", os_version="15.6", package_manager="zypper",
                                has_shell=True, default_user="root")),
    ("opensuse/tumbleweed", dict(key="opensuse/tumbleweed", family="suse", package_manager="zypper", os_version=None)),
    ("registry.opensuse.org/opensuse/leap:15.5", dict(key="opensuse/leap", os_version="15.5")),
    ("registry.suse.com/bci/bci-base:15.6", dict(key="suse/bci-base", package_manager="zypper")),
    ("registry.suse.com/bci/bci-micro:15.6", dict(key="suse/bci-micro", package_manager="none")),
    # --- scratch ------------------------------------------------------------------------------
    ("scratch", dict(key="scratch", family="scratch", default_user="root", default_uid=0, has_shell=False,
                     package_manager="none", libc="none", hardened=True, nonroot_user=None)),
    # --- Windows ------------------------------------------------------------------------------
    ("mcr.microsoft.com/windows/servercore:ltsc2022", dict(key="windows/servercore", family="windows",
                                                           default_user="ContainerAdministrator", nonroot_user="ContainerUser",
                                                           package_manager="none", os_version="ltsc2022")),
    ("mcr.microsoft.com/windows/nanoserver:ltsc2022", dict(key="windows/nanoserver", family="windows",
                                                           default_user="ContainerUser")),
    ("mcr.microsoft.com/windows/servercore/iis", dict(family="windows")),
    ("python:3.12-windowsservercore-ltsc2022", dict(key="python", family="windows", runtime="python", runtime_version="3.12",
                                                   default_user="ContainerAdministrator", libc=None, counterparts={})),
    ("golang:1.22-nanoserver-ltsc2022", dict(family="windows", default_user="ContainerUser", runtime_version="1.22")),
    ("mcr.microsoft.com/dotnet/aspnet:8.0-nanoserver-1809", dict(family="windows", runtime="dotnet", os_version="1809")),
    ("mcr.microsoft.com/dotnet/sdk:8.0-windowsservercore-ltsc2022", dict(family="windows", default_user="ContainerAdministrator")),
    ("eclipse-temurin:21-jdk-windowsservercore-ltsc2022", dict(family="windows", runtime="java")),
    # --- language runtimes ---------------------------------------------------------------
    ("python:3.11-slim", dict(key="python", family="debian", os_version=None, default_user="root", default_uid=0,
                              nonroot_user=None, has_shell=True, package_manager="apt", libc="glibc", runtime="python",
                              runtime_version="3.11", drops_privileges=False, hardened=False)),
    ("python:3.11.7-slim", dict(runtime_version="3.11")),
    ("python:3.11-slim-bookworm", dict(family="debian", os_version="12", runtime_version="3.11")),
    ("python:3.12-bullseye", dict(os_version="11")),
    ("python:3.11-alpine3.19", dict(family="alpine", os_version="3.19", package_manager="apk", libc="musl",
                                   runtime_version="3.11")),
    ("python:3-alpine", dict(family="alpine", os_version=None, runtime_version="3")),
    ("python", dict(key="python", runtime="python", runtime_version=None)),
    ("node:22-alpine", dict(key="node", family="alpine", libc="musl", package_manager="apk", default_user="root",
                            nonroot_user="node", nonroot_uid=1000, runtime="node", runtime_version="22")),
    ("node:20.11.1-bookworm-slim", dict(family="debian", os_version="12", runtime_version="20", nonroot_user="node")),
    ("node:jod-alpine", dict(runtime_version="22")),
    ("node:iron", dict(runtime_version="20")),
    ("node:lts", dict(runtime_version=None)),
    ("golang:1.22", dict(key="golang", family="debian", runtime="go", runtime_version="1.22", default_user="root")),
    ("golang:1.22.3-alpine3.19", dict(family="alpine", os_version="3.19", runtime_version="1.22")),
    ("rust:1.77-slim-bookworm", dict(key="rust", runtime="rust", runtime_version="1.77", os_version="12")),
    ("rust:alpine", dict(family="alpine", libc="musl")),
    ("ruby:3.3-slim", dict(key="ruby", runtime="ruby", runtime_version="3.3", package_manager="apt")),
    ("ruby:3.3-alpine", dict(family="alpine")),
    ("php:8.3-fpm", dict(key="php", runtime="php", runtime_version="8.3", nonroot_user="www-data", nonroot_uid=33)),
    ("php:8.3-fpm-alpine", dict(family="alpine", nonroot_uid=82)),
    # Java
    ("eclipse-temurin:17-jre", dict(key="eclipse-temurin", family="ubuntu", runtime="java", runtime_version="17",
                                    default_user="root", package_manager="apt")),
    ("eclipse-temurin:17.0.10_7-jdk-jammy", dict(runtime_version="17", os_version="22.04")),
    ("eclipse-temurin:8u402-b06-jre", dict(runtime_version="8")),
    ("eclipse-temurin:21-jre-alpine", dict(family="alpine", runtime_version="21")),
    ("eclipse-temurin:21-jre-ubi9-minimal", dict(family="rhel", os_version="9", package_manager="microdnf")),
    ("openjdk:17", dict(key="openjdk", runtime_version="17", family="rhel", package_manager="microdnf")),
    ("openjdk:17-jdk-slim", dict(family="debian", package_manager="apt")),
    ("openjdk:11-jre-slim-bullseye", dict(family="debian", os_version="11", runtime_version="11")),
    ("openjdk:8-jdk", dict(family="debian", package_manager="apt")),
    ("amazoncorretto:17", dict(key="amazoncorretto", family="amazonlinux", runtime_version="17", package_manager="yum")),
    ("amazoncorretto:21-al2023", dict(os_version="2023", package_manager="dnf", runtime_version="21")),
    ("amazoncorretto:17-alpine3.19", dict(family="alpine", package_manager="apk")),
    ("maven:3.9.6-eclipse-temurin-17", dict(key="maven", runtime="java", runtime_version="17", family="ubuntu")),
    ("maven:3.9-eclipse-temurin-21-alpine", dict(runtime_version="21", family="alpine")),
    ("maven:3-amazoncorretto-21", dict(runtime_version="21", family="amazonlinux")),
    ("gradle:8.10-jdk17", dict(key="gradle", runtime="java", runtime_version="17", nonroot_user="gradle", nonroot_uid=1000)),
    ("gradle:jdk21-alpine", dict(runtime_version="21", family="alpine")),
    # .NET (Microsoft)
    ("mcr.microsoft.com/dotnet/aspnet:8.0", dict(key="dotnet/aspnet", family="debian", os_version="12", runtime="dotnet",
                                                 runtime_version="8.0", default_user="root", nonroot_user="app",
                                                 nonroot_uid=1654, has_shell=True, hardened=False)),
    ("mcr.microsoft.com/dotnet/aspnet:10.0", dict(family="ubuntu", os_version="24.04")),
    ("mcr.microsoft.com/dotnet/runtime:6.0", dict(os_version="11", nonroot_user=None)),
    ("mcr.microsoft.com/dotnet/aspnet:8.0-alpine", dict(family="alpine", package_manager="apk")),
    # .NET chiseled: no shell, no package manager, user app 1654
    ("mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled", dict(family="ubuntu", os_version="22.04", has_shell=False,
                                                                package_manager="none", default_user="app",
                                                                default_uid=1654, nonroot_user="app", hardened=True)),
    ("mcr.microsoft.com/dotnet/runtime:8.0-noble-chiseled", dict(os_version="24.04", has_shell=False, default_uid=1654)),
    ("mcr.microsoft.com/dotnet/runtime-deps:8.0-noble-chiseled-extra", dict(key="dotnet/runtime-deps", has_shell=False,
                                                                            default_user="app")),
    ("mcr.microsoft.com/dotnet/aspnet:9.0-azurelinux3.0-distroless", dict(family="azurelinux", has_shell=False,
                                                                          default_uid=1654, hardened=True)),
    ("mcr.microsoft.com/dotnet/sdk:8.0-azurelinux3.0", dict(family="azurelinux", package_manager="tdnf", has_shell=True)),
    # --- servers / databases ---------------------------------------------------------
    ("nginx:1.27", dict(key="nginx", default_user="root", nonroot_user="nginx", nonroot_uid=101, drops_privileges=False)),
    ("nginx:1.27-alpine", dict(family="alpine", nonroot_uid=101)),
    ("nginxinc/nginx-unprivileged:1.27-alpine", dict(key="nginx-unprivileged", default_uid=101, family="alpine")),
    ("httpd:2.4", dict(key="httpd", default_user="root", drops_privileges=False, nonroot_user=None)),
    ("redis:7", dict(key="redis", default_user="root", drops_privileges=True, entrypoint="docker-entrypoint.sh",
                     nonroot_user="redis", nonroot_uid=999)),
    ("redis:7-alpine", dict(family="alpine", drops_privileges=True)),
    ("postgres:16", dict(key="postgres", default_user="root", default_uid=0, drops_privileges=True,
                         entrypoint="docker-entrypoint.sh", nonroot_user="postgres", nonroot_uid=999)),
    ("postgres:16-alpine", dict(family="alpine", nonroot_uid=70, drops_privileges=True)),
    ("mysql:8.4", dict(key="mysql", family="rhel", package_manager="microdnf", drops_privileges=True, nonroot_user="mysql")),
    ("mysql:8.0-debian", dict(family="debian", package_manager="apt")),
    ("mariadb:11", dict(key="mariadb", family="ubuntu", drops_privileges=True, nonroot_user="mysql", nonroot_uid=999)),
    ("mongo:7", dict(key="mongo", family="ubuntu", drops_privileges=True, nonroot_user="mongodb")),
    ("rabbitmq:3.13-management", dict(key="rabbitmq", family="ubuntu", drops_privileges=True, nonroot_user="rabbitmq")),
    ("rabbitmq:3-alpine", dict(family="alpine", drops_privileges=True, nonroot_uid=100)),
    ("memcached:1.6", dict(key="memcached", default_user="memcache", default_uid=11211)),
    ("bitnami/redis:7.2", dict(key="bitnami", default_uid=1001)),
    # --- Google distroless ---------------------------------------------------------------
    ("gcr.io/distroless/static-debian12:nonroot", dict(key="distroless/static", family="distroless", os_version="12",
                                                       has_shell=False, default_user="nonroot", default_uid=65532,
                                                       package_manager="none", libc="none", hardened=True)),
    ("gcr.io/distroless/static-debian12", dict(default_user="root", default_uid=0, nonroot_user="nonroot",
                                               nonroot_uid=65532, has_shell=False)),
    ("gcr.io/distroless/static-debian12:latest", dict(default_uid=0, has_shell=False)),
    ("gcr.io/distroless/static-debian12:debug", dict(has_shell=True, default_uid=0, hardened=False)),
    ("gcr.io/distroless/static-debian12:debug-nonroot", dict(has_shell=True, default_uid=65532)),
    ("gcr.io/distroless/static-debian12:nonroot-amd64", dict(default_uid=65532, has_shell=False)),
    ("gcr.io/distroless/static", dict(key="distroless/static", os_version=None)),
    ("gcr.io/distroless/base-debian12", dict(key="distroless/base", libc="glibc", has_shell=False)),
    ("gcr.io/distroless/base-nossl-debian12:nonroot", dict(key="distroless/base-nossl", default_uid=65532)),
    ("gcr.io/distroless/cc-debian12:nonroot", dict(key="distroless/cc", libc="glibc", has_shell=False)),
    ("gcr.io/distroless/python3-debian12", dict(key="distroless/python3", runtime="python", runtime_version="3.11")),
    ("gcr.io/distroless/python3-debian13:nonroot", dict(runtime_version="3.13", os_version="13")),
    ("gcr.io/distroless/java17-debian12:nonroot", dict(key="distroless/java", runtime="java", runtime_version="17",
                                                       default_uid=65532)),
    ("gcr.io/distroless/java21-debian12:debug-nonroot", dict(runtime_version="21", has_shell=True)),
    ("gcr.io/distroless/java-base-debian12", dict(key="distroless/java-base", runtime=None)),
    ("gcr.io/distroless/nodejs22-debian12:nonroot", dict(key="distroless/nodejs", runtime="node", runtime_version="22",
                                                         has_shell=False, default_uid=65532)),
    ("gcr.io/distroless/nodejs20-debian12:debug", dict(runtime_version="20", has_shell=True)),
    # --- Chainguard -------------------------------------------------------------------------
    ("cgr.dev/chainguard/python:latest", dict(key="chainguard/python", family="chainguard", has_shell=False,
                                              package_manager="none", default_user="nonroot", default_uid=65532,
                                              runtime="python", hardened=True)),
    ("cgr.dev/chainguard/python:latest-dev", dict(has_shell=True, package_manager="apk", default_uid=65532,
                                                  hardened=False)),
    ("cgr.dev/chainguard/node:latest", dict(key="chainguard/node", has_shell=False, default_uid=65532)),
    ("cgr.dev/chainguard/static:latest", dict(key="chainguard/static", libc="none", has_shell=False)),
    ("cgr.dev/chainguard/wolfi-base", dict(key="chainguard/wolfi-base", has_shell=True, package_manager="apk",
                                           default_uid=0, hardened=False)),
    ("cgr.dev/chainguard/jre:latest", dict(key="chainguard/java", runtime="java")),
    ("cgr.dev/acme.com/python:3.12-dev", dict(key="chainguard/python", runtime_version="3.12", has_shell=True)),
    ("cgr.dev/chainguard/some-new-image:latest", dict(key="chainguard", has_shell=None, default_uid=65532)),
    ("cgr.dev/chainguard/some-new-image:latest-dev", dict(has_shell=True, package_manager="apk")),
    ("cgr.dev/chainguard/busybox:latest", dict(key="chainguard/busybox", has_shell=True, hardened=False)),
    # --- Docker Hardened Images -------------------------------------------------------------
    ("dhi.io/python:3.13", dict(key="dhi/python", family="dhi", has_shell=False, package_manager="none",
                                default_user="nonroot", default_uid=65532, runtime_version="3.13", hardened=True)),
    ("dhi.io/python:3.13-dev", dict(has_shell=True, package_manager="apt", default_uid=0, hardened=False)),
    ("dhi.io/python:3.13-alpine3.22-dev", dict(has_shell=True, package_manager="apk", libc="musl", os_version="3.22")),
    ("dhi.io/python:3.9.23-debian12", dict(os_version="12", runtime_version="3.9", has_shell=False)),
    ("dhi.io/node:22-alpine3.23", dict(key="dhi/node", default_user="node", default_uid=1000, has_shell=False,
                                       libc="musl")),
    ("dhi.io/golang:1.25-debian13-dev", dict(key="dhi/golang", runtime_version="1.25", has_shell=True, os_version="13")),
    ("dhi.io/eclipse-temurin:21-alpine3.22", dict(key="dhi/java", runtime_version="21", has_shell=False)),
    ("dhi.io/aspnetcore:8", dict(key="dhi/dotnet", runtime="dotnet", default_uid=65532)),
    ("dhi.io/postgres:17", dict(key="dhi/postgres", default_uid=70, has_shell=True, hardened=True)),
    ("dhi.io/static:20250419", dict(key="dhi/static", libc="none", has_shell=False, default_uid=65532)),
    ("dhi.io/something-else:1", dict(key="dhi", default_user=None, has_shell=None, package_manager="none")),
    # DHI mirrored into a Docker Hub organisation
    ("myorg/dhi-python:3.13", dict(key="dhi-mirror", runtime="python", default_uid=65532, has_shell=False,
                                   package_manager="none", hardened=True, libc="glibc",
                                   counterparts={"dhi": "myorg/dhi-python:3.13"})),
    ("myorg/dhi-node:22-alpine3.22-dev", dict(runtime="node", default_uid=0, has_shell=True, package_manager="apk",
                                              counterparts={"dhi": "myorg/dhi-node:22-alpine3.22"})),
    ("myorg/dhi-redis:8", dict(key="dhi-mirror", default_user=None, has_shell=None, package_manager=None,
                               hardened=False)),
]


@pytest.mark.parametrize("text, expected", CASES, ids=[c[0] for c in CASES])
def test_known_images(text, expected):
    check(text, **expected)


def test_every_family_is_covered():
    families = {info(text).family for text, _ in CASES}
    assert {"debian", "ubuntu", "alpine", "busybox", "rhel", "fedora", "suse", "distroless", "chainguard", "dhi",
            "scratch", "windows", "amazonlinux", "azurelinux"} <= families


# ---------------------------------------------------------------------------
# Counterparts
# ---------------------------------------------------------------------------


def test_python_counterparts_from_the_issue():
    assert dict(info("python:3.11-slim").counterparts) == {
        "distroless": "gcr.io/distroless/python3-debian12:nonroot",
        "chainguard": "cgr.dev/chainguard/python:latest",
        "dhi": "dhi.io/python:3.11",
    }


@pytest.mark.parametrize(
    "text, target, expected",
    [
        ("python:3.13-slim-trixie", "distroless", "gcr.io/distroless/python3-debian13:nonroot"),
        ("node:22-bookworm", "distroless", "gcr.io/distroless/nodejs22-debian12:nonroot"),
        ("node:20-alpine", "dhi", "dhi.io/node:20"),
        ("eclipse-temurin:17-jre", "distroless", "gcr.io/distroless/java17-debian12:nonroot"),
        ("eclipse-temurin:21-jdk", "distroless", "gcr.io/distroless/java21-debian12:nonroot"),
        ("maven:3.9-eclipse-temurin-21", "distroless", "gcr.io/distroless/java21-debian12:nonroot"),
        ("amazoncorretto:21", "dhi", "dhi.io/amazoncorretto:21"),
        ("golang:1.22", "distroless", "gcr.io/distroless/static-debian12:nonroot"),
        ("golang:1.22", "chainguard", "cgr.dev/chainguard/static:latest"),
        ("rust:1.77", "distroless", "gcr.io/distroless/cc-debian12:nonroot"),
        ("rust:1.77-alpine", "distroless", "gcr.io/distroless/static-debian12:nonroot"),
        ("nginx:1.27-alpine", "unprivileged", "nginxinc/nginx-unprivileged:1.27-alpine"),
        ("nginx", "unprivileged", "nginxinc/nginx-unprivileged:latest"),
        ("postgres:16", "dhi", "dhi.io/postgres:16"),
        ("mcr.microsoft.com/dotnet/aspnet:8.0", "chiseled", "mcr.microsoft.com/dotnet/aspnet:8.0-noble-chiseled"),
        ("mcr.microsoft.com/dotnet/sdk:9.0", "chiseled", "mcr.microsoft.com/dotnet/aspnet:9.0-noble-chiseled"),
        ("mcr.microsoft.com/dotnet/sdk:8.0", "dhi", "dhi.io/aspnetcore:8.0"),
        ("gcr.io/distroless/python3-debian12:debug", "distroless", "gcr.io/distroless/python3-debian12:nonroot"),
        ("cgr.dev/chainguard/python:latest-dev", "chainguard", "cgr.dev/chainguard/python:latest"),
        ("cgr.dev/chainguard/go:latest-dev", "chainguard", "cgr.dev/chainguard/static:latest"),
        ("dhi.io/python:3.13-alpine3.22-dev", "dhi", "dhi.io/python:3.13-alpine3.22"),
        ("dhi.io/dotnet:8-sdk-alpine3.22", "dhi", "dhi.io/dotnet:8-alpine3.22"),
    ],
)
def test_counterpart(text, target, expected):
    assert info(text).counterparts.get(target) == expected


def test_no_distroless_counterpart_when_versions_differ():
    # distroless ships python 3.11 (debian12) and 3.13 (debian13) only; a 3.12 app would break on either.
    assert "distroless" not in info("python:3.12-slim").counterparts
    assert "distroless" not in info("node:23").counterparts
    assert "distroless" not in info("eclipse-temurin:11-jre").counterparts
    # no version in the tag: nothing version-specific is guessed (and DHI has no :latest)
    unversioned = info("python:slim").counterparts
    assert "distroless" not in unversioned and "dhi" not in unversioned
    assert unversioned["chainguard"] == "cgr.dev/chainguard/python:latest"


def test_no_counterparts_for_windows_or_old_dotnet():
    assert info("python:3.11-windowsservercore-ltsc2022").counterparts == {}
    old = info("mcr.microsoft.com/dotnet/aspnet:6.0").counterparts
    assert "chiseled" not in old and "distroless" not in old and "dhi" not in old


def test_counterparts_have_no_placeholders_left():
    for text, _ in CASES:
        for target, image in info(text).counterparts.items():
            assert "{" not in image and "}" not in image, (text, target, image)
            assert image.split(":")[-1], (text, image)


# ---------------------------------------------------------------------------
# Unknown images are unknown -- never assumed safe
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "registry, repository, tag",
    [
        (None, "mycorp/thing", "1"),
        (None, "mycorp/thing", None),
        ("ghcr.io", "acme/api", "v2"),
        ("quay.io", "someone/tool", "latest"),
        ("registry.example.com:5000", "team/base", "2024"),
        ("gcr.io", "my-project/app", "1.0"),  # gcr.io but not distroless
        ("mcr.microsoft.com", "azure-cli", "2.60.0"),
        (None, "<unresolved>", None),
        (None, "${BASE_IMAGE}", None),
        (None, "", None),
    ],
)
def test_unknown(registry, repository, tag):
    found = lookup(registry, repository, tag)
    assert found.known is False
    assert found.key == "unknown"
    assert found.default_user is None and found.default_uid is None
    assert found.has_shell is None
    assert found.package_manager is None
    assert found.family is None and found.libc is None and found.runtime is None
    assert found.nonroot_user is None
    assert found.hardened is False and found.drops_privileges is False
    assert found.counterparts == {}
    assert found.runs_as_root is None


def test_unknown_is_not_fooled_by_a_similar_name():
    assert not lookup(None, "python-tools", "3.11").known
    assert not lookup(None, "pythonista/python", "3.11").known
    assert not lookup("gcr.io", "distroless-fake/static", None).known
    assert not lookup(None, "cgr.dev", None).known


# ---------------------------------------------------------------------------
# Registry normalisation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("registry", [None, "docker.io", "index.docker.io", "registry-1.docker.io", "DOCKER.IO"])
@pytest.mark.parametrize("repository", ["python", "library/python"])
def test_docker_hub_spellings(registry, repository):
    found = lookup(registry, repository, "3.11-slim")
    assert found.key == "python"
    assert found.runtime_version == "3.11"


def test_hub_mirrors_are_the_same_images():
    assert lookup("mirror.gcr.io", "library/node", "20").key == "node"
    assert lookup("public.ecr.aws", "docker/library/python", "3.12").key == "python"
    # other public.ecr.aws paths are not Docker Hub
    assert not lookup("public.ecr.aws", "someone/python", "3.12").known


def test_registry_inside_repository_is_split():
    assert lookup(None, "gcr.io/distroless/static-debian12", "nonroot").key == "distroless/static"
    assert lookup(None, "docker.io/library/python", "3.11").key == "python"


def test_registry_matters():
    # the same path on another registry is a different image
    assert not lookup("ghcr.io", "python", "3.11").known
    assert lookup("gcr.io", "distroless/static-debian12", None).known
    assert not lookup(None, "distroless/static-debian12", None).known


def test_tag_none_means_latest():
    assert lookup(None, "python", None) == lookup(None, "python", "latest")
    assert lookup("gcr.io", "distroless/static-debian12", None).default_uid == 0


# ---------------------------------------------------------------------------
# Image references: one parser (hardener.syntax.imageref) for FROM and lookups
# ---------------------------------------------------------------------------

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    "text, expected",
    [
        ("python", (None, "python", None, None)),
        ("python:3.11-slim", (None, "python", "3.11-slim", None)),
        ("library/python:3.11", (None, "python", "3.11", None)),
        ("docker.io/library/python", (None, "python", None, None)),
        ("index.docker.io/library/python", (None, "python", None, None)),
        ("docker.io/bitnami/redis:7", (None, "bitnami/redis", "7", None)),
        ("library/a/b", (None, "library/a/b", None, None)),  # familiar form only for one-component names
        # a registry: "localhost", a "." or ":" (domain, IP, port), or upper case (paths are lower case)
        ("localhost/app", ("localhost", "app", None, None)),
        ("localhost:5000/team/app:1.2", ("localhost:5000", "team/app", "1.2", None)),
        ("registry:5000/app", ("registry:5000", "app", None, None)),
        ("10.0.0.1/app", ("10.0.0.1", "app", None, None)),
        ("[::1]:5000/app:v1", ("[::1]:5000", "app", "v1", None)),
        ("MyRegistry/app", ("MyRegistry", "app", None, None)),
        ("team/app", (None, "team/app", None, None)),
        ("quay.io/library/python", ("quay.io", "library/python", None, None)),  # library/ is Docker Hub's only
        # a ":" after the last "/" is the tag, an earlier one the port; "@" starts the digest
        ("registry.example.com:8443/img", ("registry.example.com:8443", "img", None, None)),
        ("alpine@" + DIGEST, (None, "alpine", None, DIGEST)),
        ("ghcr.io/o/app:1@" + DIGEST, ("ghcr.io", "o/app", "1", DIGEST)),
        ("localhost:5000", (None, "localhost", "5000", None)),  # no "/": a name and a tag, as Docker reads it
    ],
)
def test_reference_grammar(text, expected):
    from hardener.syntax.imageref import parse_image_ref

    assert split_reference(text) == expected
    parsed = parse_image_ref(text)
    assert (parsed.registry, parsed.repository, parsed.tag, parsed.digest) == expected


def test_cli_and_from_read_a_reference_alike(capsys):
    from hardener.parse import parse

    for text in ("gcr.io/distroless/static-debian12:nonroot", "docker.io/library/python:3.11-slim", "MyReg/python:3"):
        base = parse(f"FROM {text}\n").stages[0].base
        assert images_cli.main([text]) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["key"] == lookup(base.registry, base.repository, base.tag).key


# ---------------------------------------------------------------------------
# User entries from config
# ---------------------------------------------------------------------------


def test_extra_entry_for_an_unknown_image():
    extra = ({"key": "mycorp-base", "match": ["registry.mycorp.io/base/*"], "family": "debian",
              "default_user": "app", "default_uid": 10001, "has_shell": True, "package_manager": "apt",
              "libc": "glibc"},)
    found = lookup("registry.mycorp.io", "base/python", "3.11", extra)
    assert found.known and found.key == "mycorp-base"
    assert (found.default_user, found.default_uid, found.package_manager) == ("app", 10001, "apt")
    assert found.runs_as_root is False
    # other images are unaffected
    assert lookup(None, "python", "3.11", extra).key == "python"
    assert not lookup("registry.mycorp.io", "other/thing", None, extra).known


def test_extra_entry_wins_over_builtin():
    extra = [{"key": "python", "match": ["python"], "extends": "python", "default_user": "app", "default_uid": 1000}]
    found = lookup(None, "python", "3.11-slim", extra)
    assert found.default_user == "app" and found.default_uid == 1000
    # inherited from the built-in python entry
    assert found.runtime == "python" and found.runtime_version == "3.11" and found.family == "debian"
    assert found.counterparts["dhi"] == "dhi.io/python:3.11"
    # the built-in knowledge is untouched
    assert lookup(None, "python", "3.11-slim").default_user == "root"


def test_extra_glob_beats_builtin_exact():
    extra = [{"key": "all-hub-images", "match": ["*"], "family": "custom", "has_shell": False}]
    assert lookup(None, "python", "3.11", extra).key == "all-hub-images"


def test_extra_entry_with_variants_and_counterparts():
    extra = [{
        "key": "acme/runtime",
        "match": ["ghcr.io/acme/runtime"],
        "family": "debian",
        "default_user": "root",
        "has_shell": True,
        "version_re": r"^(?P<runtime_version>\d+)",
        "runtime": "node",
        "variants": [{"tag": "*-hardened", "set": {"has_shell": False, "default_user": "nonroot", "default_uid": 65532,
                                                   "hardened": True}}],
        "counterparts": {"dhi": "dhi.io/node:{v}"},
    }]
    plain = lookup("ghcr.io", "acme/runtime", "22", extra)
    assert plain.has_shell is True and plain.default_uid == 0 and plain.runtime_version == "22"
    assert plain.counterparts == {"dhi": "dhi.io/node:22"}
    hardened = lookup("ghcr.io", "acme/runtime", "22-hardened", extra)
    assert hardened.has_shell is False and hardened.default_uid == 65532 and hardened.hardened


def test_extra_accepts_tuple_and_list_and_is_cached():
    entry = {"key": "x", "match": ["example.com/x"], "family": "alpine"}
    as_tuple = (entry,)
    first = images.load_knowledge(as_tuple)
    assert images.load_knowledge(as_tuple) is first
    assert images.load_knowledge([dict(entry)]) is first  # same content, same knowledge
    assert images.load_knowledge(()) is images.load_knowledge(None)
    assert lookup("example.com", "x", None, as_tuple) is lookup("example.com", "x", None, as_tuple)


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"key": "x", "match": ["x"], "shell": True}, "unknown key 'shell'"),
        ({"match": ["x"]}, "'key'"),
        ({"key": "x"}, "'match'"),
        ({"key": "x", "match": ["x"], "default_uid": "root"}, "default_uid"),
        ({"key": "x", "match": ["x"], "has_shell": "yes"}, "has_shell"),
        ({"key": "x", "match": ["re:("]}, "bad regular expression"),
        ({"key": "x", "match": ["x"], "variants": [{"tag": "*", "set": {"colour": "red"}}]}, "unknown key 'colour'"),
        ({"key": "x", "match": ["x"], "variants": [{"tags": "*"}]}, "unknown key 'tags'"),
        ({"key": "x", "match": ["x"], "extends": "no-such-entry"}, "no-such-entry"),
    ],
)
def test_bad_extra_entries_are_reported(entry, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        lookup(None, "x", None, [entry])


# ---------------------------------------------------------------------------
# The result object
# ---------------------------------------------------------------------------


def test_image_info_fields_are_the_agreed_ones():
    names = [f.name for f in fields(ImageInfo)]
    assert names[:16] == [
        "key", "known", "family", "os_version", "default_user", "default_uid", "nonroot_user", "nonroot_uid",
        "has_shell", "package_manager", "libc", "runtime", "runtime_version", "drops_privileges", "hardened",
        "counterparts",
    ]


def test_image_info_is_immutable_and_hashable():
    found = info("python:3.11-slim")
    with pytest.raises(FrozenInstanceError):
        found.default_user = "app"  # type: ignore[misc]
    with pytest.raises(TypeError):
        found.counterparts["distroless"] = "x"  # type: ignore[index]
    assert isinstance(found.counterparts, dict)
    assert hash(found) == hash(info("python:3.11-slim"))
    assert json.loads(json.dumps(found.counterparts))["dhi"] == "dhi.io/python:3.11"


def test_lookups_are_memoised():
    assert info("node:22-alpine") is info("node:22-alpine")


def test_runs_as_root():
    assert info("python:3.11").runs_as_root is True
    assert info("gcr.io/distroless/static-debian12:nonroot").runs_as_root is False
    assert info("mcr.microsoft.com/windows/servercore:ltsc2022").runs_as_root is True
    assert info("mcr.microsoft.com/windows/nanoserver:ltsc2022").runs_as_root is False


# ---------------------------------------------------------------------------
# The data file itself
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def data() -> dict:
    return image_data.parse_yaml(image_data.YAML_PATH.read_text(encoding="utf-8"))


def test_data_file_follows_the_schema(data):
    images.validate_entries(data["entries"], "images.yaml")  # compiles every regex
    images.Knowledge(data, validate=True)  # resolves every `extends`
    keys = [e["key"] for e in data["entries"]]
    assert len(keys) == len(set(keys)), "duplicate keys"
    for trait in data["tag_traits"]:
        assert set(trait) <= {"token", "set"}
        image_schema._check_fields("tag_traits", trait["set"], image_schema._SET_KEYS)


def _sample_names(entry: dict) -> list[str]:
    names = []
    for pattern in entry.get("match") or []:
        if pattern.startswith("re:") or any(c in pattern for c in "*?["):
            continue
        names.append(pattern)
    return names


SAMPLE_TAGS = [None, "latest", "1", "1.2.3", "3.11-slim-bookworm", "22-alpine3.19", "nonroot", "debug-nonroot",
               "latest-dev", "8.0-jammy-chiseled", "17-jre-ubi9-minimal", "1.22-windowsservercore-ltsc2022",
               "lts-alpine", "${X}-slim"]


def test_every_entry_gives_consistent_answers(data):
    knowledge = images.Knowledge(data)
    checked = 0
    for entry in data["entries"]:
        if entry.get("abstract"):
            continue
        for name in _sample_names(entry):
            registry, repository = image_knowledge._split_registry(name)
            for tag in SAMPLE_TAGS:
                found = knowledge.lookup(None if registry == image_knowledge.HUB else registry, repository, tag)
                checked += 1
                where = f"{name}:{tag}"
                assert found.known, where
                assert found.package_manager in PACKAGE_MANAGERS | {None}, where
                assert found.libc in LIBCS | {None}, where
                assert found.runtime in RUNTIMES | {None}, where
                # .NET tags name the distro (or a version whose default distro we know); odd tags stay unknown
                assert found.family or found.key.startswith("dotnet/"), where
                if found.default_user == "root":
                    assert found.default_uid == 0, where
                if found.default_uid == 0:
                    assert found.default_user == "root", where
                if found.nonroot_uid is not None:
                    assert found.nonroot_uid != 0, where
                if found.drops_privileges:
                    assert found.default_uid == 0 and found.nonroot_user and found.entrypoint, where
                if found.hardened:
                    assert found.package_manager in ("none", None), where
                if found.has_shell is False:
                    assert found.package_manager in ("none", None), where
    assert checked > 500


def test_every_entry_is_reachable(data):
    """Each non-abstract entry is what some name resolves to (no entry shadowed by an earlier pattern)."""
    samples = {
        "almalinux-variant": "almalinux/9-base",
        "ubi": "registry.access.redhat.com/ubi9/ubi",
        "ubi-minimal": "registry.access.redhat.com/ubi9/ubi-minimal",
        "ubi-micro": "registry.access.redhat.com/ubi9/ubi-micro",
        "ubi-init": "registry.access.redhat.com/ubi9/ubi-init",
        "ubi/python": "registry.access.redhat.com/ubi9/python-312",
        "ubi/nodejs": "registry.access.redhat.com/ubi9/nodejs-22",
        "ubi/openjdk": "registry.access.redhat.com/ubi9/openjdk-17",
        "ubi/go-toolset": "registry.access.redhat.com/ubi9/go-toolset:1.22",
        "suse/bci": "registry.suse.com/bci/nodejs:22",
        "azurelinux": "mcr.microsoft.com/azurelinux/base/core:3.0",
        "azurelinux/distroless": "mcr.microsoft.com/azurelinux/distroless/base:3.0",
        "cbl-mariner": "mcr.microsoft.com/cbl-mariner/base/core:2.0",
        "bitnami": "bitnami/postgresql:16",
        "distroless": "gcr.io/distroless/some-future-image",
        "chainguard": "cgr.dev/chainguard/mystery",
        "dhi": "dhi.io/mystery:1",
        "dhi-mirror": "myorg/dhi-python:3.13",
    }
    for entry in data["entries"]:
        if entry.get("abstract"):
            continue
        key = entry["key"]
        names = _sample_names(entry)
        if key in samples:
            text = samples[key]
        elif names:
            text = names[0]
        else:
            globbed = [m for m in entry["match"] if not m.startswith("re:")]
            if globbed:
                text = globbed[0].replace("*", "chainguard", 1).replace("*", "x")
            else:
                text = {
                    "distroless/static": "gcr.io/distroless/static-debian12",
                    "distroless/base-nossl": "gcr.io/distroless/base-nossl-debian12",
                    "distroless/base": "gcr.io/distroless/base-debian12",
                    "distroless/cc": "gcr.io/distroless/cc-debian12",
                    "distroless/python3": "gcr.io/distroless/python3-debian12",
                    "distroless/java-base": "gcr.io/distroless/java-base-debian12",
                    "distroless/java": "gcr.io/distroless/java21-debian12",
                    "distroless/nodejs": "gcr.io/distroless/nodejs22-debian12",
                }[key]
        assert info(text).key == key, (key, text)


def test_compiled_copy_is_in_sync():
    from hardener.images import compiled

    raw = image_data.YAML_PATH.read_bytes()
    assert compiled.SOURCE == raw, "run: python -m hardener.images --write-data"
    assert compiled.DATA == image_data.parse_yaml(raw.decode("utf-8"))


# ---------------------------------------------------------------------------
# Loading: the parsed-data cache keeps ruamel.yaml off the start-up path
# ---------------------------------------------------------------------------


def test_cache_is_written_then_used(tmp_path, monkeypatch):
    yaml_path = tmp_path / "images.yaml"
    yaml_path.write_text("version: 1\nentries:\n  - {key: a, match: [a], family: alpine}\n", encoding="utf-8")
    first = image_data.load_data(yaml_path, compiled=False, cache_dir=tmp_path / "cache")
    assert first["entries"][0]["family"] == "alpine"
    assert len(list((tmp_path / "cache").glob("images-*.json"))) == 1

    def boom(text):
        raise AssertionError("YAML parsed again although the cache matches")

    monkeypatch.setattr(image_data, "parse_yaml", boom)
    assert image_data.load_data(yaml_path, compiled=False, cache_dir=tmp_path / "cache") == first
    # a changed YAML file is never served from a stale cache
    yaml_path.write_text("version: 1\nentries:\n  - {key: a, match: [a], family: debian}\n", encoding="utf-8")
    monkeypatch.undo()
    assert image_data.load_data(yaml_path, compiled=False, cache_dir=tmp_path / "cache")["entries"][0]["family"] == "debian"


def test_the_compiled_copy_is_preferred_and_only_for_its_own_yaml(tmp_path, monkeypatch):
    from hardener.images import compiled

    monkeypatch.setattr(image_data, "parse_yaml", lambda text: (_ for _ in ()).throw(AssertionError("parsed")))
    assert image_data.load_data(image_data.YAML_PATH, cache_dir=False) is compiled.DATA
    edited = tmp_path / "images.yaml"
    edited.write_bytes(image_data.YAML_PATH.read_bytes() + b"\n")
    with pytest.raises(AssertionError, match="parsed"):  # one byte more: not the YAML the copy was made from
        image_data.load_data(edited, cache_dir=False)


def test_unwritable_cache_dir_is_harmless(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    data = image_data.load_data(image_data.YAML_PATH, compiled=False, cache_dir=blocker / "sub")
    assert data["entries"]


def test_import_is_light():
    code = ("import sys; before = set(sys.modules); import hardener.images; "
            "print(sorted({'ruamel', 'ruamel.yaml', 'typing', 'dataclasses', 'json'} & (set(sys.modules) - before)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=dict(os.environ, PYTHONPATH=str(ROOT))).stdout
    assert out.strip() == "[]"


def test_warm_start_does_not_import_ruamel(tmp_path):
    env = dict(os.environ, DHARD_CACHE_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    env.pop("DHARD_NO_CACHE", None)
    code = (
        "import sys, hardener.images as im\n"
        "assert 'ruamel' not in sys.modules, 'imported at module import'\n"
        "print(im.lookup(None, 'python', '3.11-slim').key)\n"
        "print('ruamel.yaml' in sys.modules)\n"
    )
    cold = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    warm = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert warm.stdout.split() == ["python", "False"], warm.stdout + warm.stderr
    assert cold.stdout.split() == ["python", "False"], cold.stdout + cold.stderr  # the compiled copy


def test_cli_prints_a_lookup(capsys):
    assert images_cli.main(["gcr.io/distroless/static-debian12:nonroot"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["key"] == "distroless/static" and out["default_uid"] == 65532
