"""``dhard pin``: pin image references by digest against their registries.

One job per module:

* ``rewrite``: which references a Dockerfile pins and where (the DH4xx rules'
  image uses; an ARG default when the reference is exactly that ARG), and the
  splice edits;
* ``registry``: the OCI distribution client (tag -> index/manifest digest);
* ``auth``: credentials from ``~/.docker/config.json`` and the auth challenge;
* ``lockfile``: ``dhard.lock``, written by ``dhard pin``, read by config
  loading so fixes pin offline;
* ``pinner``: one file's pinning, the command's logic without its I/O.

Only ``registry`` opens connections, and only ``dhard pin`` imports it. Config
loading looks for a lock file on every ``dhard check`` through ``find_lock``,
here, and imports ``lockfile`` only when there is one.
"""

import os

LOCK_NAME = "dhard.lock"


def find_lock(directory: str) -> str | None:
    """The nearest ``dhard.lock`` walking up from ``directory``."""
    while True:
        candidate = os.path.join(directory, LOCK_NAME)
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent
