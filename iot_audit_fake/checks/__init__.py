"""Audit checks: the catalogue of facts and the evaluators that apply them to real resources."""
