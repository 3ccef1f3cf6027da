"""Watching an attempt file for saves, without extra dependencies.

Polls the path's identity (inode, size, mtime): editors that save by writing a
new file and renaming it over the old one are followed, because the path is
what is watched, not the open file. A change is reported once the file has been
stable for a short moment, so a save in several writes triggers one grading.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

POLL_SECONDS = 0.05
SETTLE_SECONDS = 0.05


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None  # mid-replace, or deleted: wait for it to come back
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def changes(path: Path, stop: Callable[[], bool] = lambda: False,
            sleep: Callable[[float], None] = time.sleep) -> Iterator[float]:
    """Yield the time of each settled change to `path` (after the first state seen)."""
    last = _stamp(path)
    while not stop():
        sleep(POLL_SECONDS)
        now = _stamp(path)
        if now is None or now == last:
            continue
        while True:  # settle: the same stamp twice in a row
            sleep(SETTLE_SECONDS)
            again = _stamp(path)
            if again == now:
                break
            now = again
        if now is not None and now != last:
            last = now
            yield time.monotonic()
