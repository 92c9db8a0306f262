"""Multi-language component host (see component.py)."""
