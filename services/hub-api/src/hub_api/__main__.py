"""`python -m hub_api`: the `g4hub` command, for when the script is not on PATH."""

from hub_api.cli import main

raise SystemExit(main())
