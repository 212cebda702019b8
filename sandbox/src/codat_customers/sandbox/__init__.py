"""Sandbox (placeholder until built)."""
