"""Test doubles of the outside services citekb talks to (never shipped in the package)."""
