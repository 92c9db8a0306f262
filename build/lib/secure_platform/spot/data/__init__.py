"""Bundled market data (see README.md for sources and dates)."""
