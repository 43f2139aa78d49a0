"""``python -m maaor``: see maaor.cli."""

import gc
import sys

# What the imports make lives as long as this one-command process: no collection while
# they run (they make few cycles and no garbage worth finding), then frozen, so that the
# collector's full passes no longer walk it (a 100k-row publish spent about 0.3 s of its
# time in collections, imports included).
gc.disable()
from maaor.cli import main  # noqa: E402 - imported with the collector off

gc.freeze()
gc.enable()
sys.exit(main())
