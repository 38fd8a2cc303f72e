"""`python -m tfface` runs the command line."""

import sys

from tfface.cli.main import main

sys.exit(main())
