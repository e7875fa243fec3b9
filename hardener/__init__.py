"""dhard: lint, fix and harden Dockerfiles."""

__version__ = "0.1.0"
