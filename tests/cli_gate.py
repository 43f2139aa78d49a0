"""Run ``python -m maaor`` with a gate before the publish use case (for concurrency tests).

``python -m tests.cli_gate publish FILE ...`` runs the real CLI (``maaor.cli.main``);
after the upload is prepared (its base version read), the process writes
``ready-<pid>`` in the folder ``MAAOR_TEST_GATE`` and waits until that folder holds
``MAAOR_TEST_GATE_PARTIES`` ready files (default 2) before calling
``maaor.usecases.publish``. Two such processes therefore both build their candidate on
the same version before either publishes: the race of two concurrent publishes, every
time. Gives up (exit 3) after two minutes so a broken test cannot hang.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import maaor.usecases
from maaor.cli import main

_publish = maaor.usecases.publish


def _gated_publish(*args, **kwargs):
    folder = Path(os.environ["MAAOR_TEST_GATE"])
    parties = int(os.environ.get("MAAOR_TEST_GATE_PARTIES", "2"))
    (folder / f"ready-{os.getpid()}").touch()
    deadline = time.monotonic() + 120
    while len(list(folder.glob("ready-*"))) < parties:
        if time.monotonic() > deadline:
            print("cli_gate: the other party never came", file=sys.stderr)
            sys.exit(3)
        time.sleep(0.05)
    return _publish(*args, **kwargs)


if __name__ == "__main__":
    maaor.usecases.publish = _gated_publish
    sys.exit(main(sys.argv[1:]))
