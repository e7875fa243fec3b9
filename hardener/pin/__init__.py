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

Only ``registry`` opens connections, and only ``dhard pin`` imports it. This
package's ``__init__`` imports nothing: config loading reaches ``lockfile``
through it on every ``dhard check``.
"""
