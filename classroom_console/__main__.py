"""``python -m classroom_console`` runs the same command as ``classroom-console``."""

import sys

from classroom_console.cli import main

sys.exit(main())
