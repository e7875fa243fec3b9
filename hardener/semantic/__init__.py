"""The build as BuildKit would run it: one model that rules, fixes, the rewriter and the editor read.

``Build`` (in ``build.py``) is computed once per parsed file and lazily: the
stage graph and what ships, the ARG/ENV/WORKDIR/USER/SHELL state before every
instruction (``state.py``), who the final image runs as (``users.py``), the
package-manager commands of every RUN (``packages.py``) and what each
COPY/ADD/RUN puts in the image and for whom (``files.py``). Nothing above this
layer works these facts out again.
"""
