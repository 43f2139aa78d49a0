"""Where a file load's Arrow buffers come from.

pandas 3 keeps every text column in Arrow buffers, which pyarrow takes from its default
memory pool (mimalloc in the PyPI wheels). Loading a large sheet frees calamine's cells
(a few hundred MB at 100,000 rows) to the C allocator just before validation builds its
text columns. Taken from mimalloc, those columns land on fresh pages that the kernel must
fault in and zero; taken from the C allocator (pyarrow's "system" pool), they reuse the
memory just freed. Measured on the 100,000-row 4W of ``bench/read_bench.py``, each load
in a fresh process on the 2-core machine: validation 0.52-0.55 s with mimalloc, 0.37-0.39 s
with the system pool; system time 0.45-0.48 s against 0.32-0.33 s.

The pool is pyarrow's process-wide default, so it is switched only while a load runs and
then put back: the dashboard's own Arrow work keeps pyarrow's choice.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0  # loads running now (in any thread) under the system pool
_previous = None  # the pool in use before the first of them


@contextmanager
def system_arrow_pool() -> Iterator[None]:
    """Make pyarrow's default memory pool the C allocator's for the ``with`` block.

    Nested and concurrent blocks share one switch: the pool in use before the first
    block began is put back when the last one ends, whatever order they end in and
    whether or not they raise. Buffers taken meanwhile stay valid after it: each buffer
    is freed to the pool it came from.
    """
    global _depth, _previous
    import pyarrow as pa

    with _lock:
        if _depth == 0:
            _previous = pa.default_memory_pool()
            pa.set_memory_pool(pa.system_memory_pool())
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                pa.set_memory_pool(_previous)
                _previous = None
