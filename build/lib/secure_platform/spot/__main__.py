"""`python -m secure_platform.spot recommend ...` (see cli.py)."""

from .cli import main

raise SystemExit(main())
