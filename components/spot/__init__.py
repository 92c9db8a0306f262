"""Alias package: see `components/__init__.py`. Imports nothing, as the provider host needs."""
