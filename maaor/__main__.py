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
try:
    code = main()
finally:
    # The stores are closed here, not left to the collector (their objects are frozen
    # below); a command that opened none did not import maaor.service.
    service = sys.modules.get("maaor.service")
    if service is not None:
        service.close_stores()
# Frozen again on the way out: what the command imported and made since (pandas,
# SQLAlchemy, the store, the dataset) is then left out of the collection the
# interpreter runs at exit, which walked it all for about 0.2 s before the process
# could end. The rest of the exit is the usual one: atexit hooks run (the isolated
# reader's spare child is stopped), output is flushed.
gc.freeze()
sys.exit(code)
