"""`python -m components.spot recommend ...` (see cli.py)."""

from .cli import main

raise SystemExit(main())
