"""What dhard reads of a build context, one job a module; nothing is imported here.

``context`` (which files a COPY ships, .dockerignore), ``writes`` (where the app
writes at run time), ``listen`` (ports below 1024 it binds), ``node_requires``
(the packages a Node app loads) and ``python_sources`` (the Python sources, the
only place dhard imports libcst).
"""
