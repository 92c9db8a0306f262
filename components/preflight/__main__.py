"""`python -m components.preflight STACK`."""

from .cli import main

raise SystemExit(main())
