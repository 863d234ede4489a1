"""Evaluators for the roles family of checks (to be written)."""
