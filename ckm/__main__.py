"""`python -m ckm` runs the admin command line."""

from ckm.cli import main

raise SystemExit(main())
