"""Evaluators for the certificates family of checks (to be written)."""
