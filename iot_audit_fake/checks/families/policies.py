"""Evaluators for the policies family of checks (to be written)."""
