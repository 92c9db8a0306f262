"""`python -m secure_platform.preflight STACK`."""

from secure_platform.preflight.cli import main

raise SystemExit(main())
