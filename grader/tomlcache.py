"""Parsed TOML files, kept between runs in a JSON file keyed by each file's path, size and
modification time, so that `list` does not parse every problem.toml again."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


class TomlCache:
    def __init__(self, file: Path | None) -> None:
        self.file, self.dirty = file, False
        self.entries: dict[str, Any] = {}
        if file is not None:
            try:
                loaded = json.loads(file.read_text(encoding="utf-8"))
                self.entries = loaded if isinstance(loaded, dict) else {}
            except (OSError, ValueError):
                self.entries = {}

    def load(self, path: Path) -> dict[str, Any]:
        """tomllib.loads of the file (raises as tomllib does), from the cache when unchanged."""
        stat = path.stat()
        stamp = [stat.st_mtime_ns, stat.st_size]
        hit = self.entries.get(str(path))
        if isinstance(hit, list) and len(hit) == 2 and hit[0] == stamp:
            return hit[1]
        data = toml_loads(path.read_text(encoding="utf-8"))
        if self.file is not None:
            self.entries[str(path)] = [stamp, data]
            self.dirty = True
        return data

    def save(self) -> None:
        """Write the cache if it changed; a cache that cannot be written is simply skipped."""
        if self.file is None or not self.dirty:
            return
        import tempfile  # only when writing: a warm `list` never does

        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.file.parent, prefix=".catalog-")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self.entries, fh)
            os.replace(tmp, self.file)
        except (OSError, TypeError, ValueError):  # TypeError: a TOML date is not JSON
            pass


def toml_loads(text: str) -> dict:
    """tomllib.loads, imported only when a file is parsed: a warm cache never needs it."""
    import tomllib

    return tomllib.loads(text)


def toml_error() -> type[Exception]:
    import tomllib

    return tomllib.TOMLDecodeError
