"""Allow ``python -m makingdata.cli``."""

from makingdata.cli import main

raise SystemExit(main())
