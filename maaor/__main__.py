"""``python -m maaor``: see maaor.cli."""

import sys

from maaor.cli import main

sys.exit(main())
