"""Evaluators, one module per family of checks; importing this package registers them all."""

from . import account, certificates, connections, policies, roles  # noqa: F401
