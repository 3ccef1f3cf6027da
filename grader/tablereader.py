"""Typed access to a TOML table, naming the file and the field in every error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from attn_practice.grader.errors import ProblemFormatError


class TableReader:
    """Typed access to a TOML table that names the file and field on every error."""

    def __init__(self, path: Path, raw: dict[str, Any], prefix: str = "") -> None:
        self.path, self.raw, self.prefix = path, raw, prefix

    def _name(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key

    def _err(self, key: str, message: str) -> ProblemFormatError:
        return ProblemFormatError(self.path, self._name(key), message)

    def _get(self, key: str, typ: type | tuple[type, ...], default: Any = ...) -> Any:
        if key not in self.raw:
            if default is ...:
                raise self._err(key, "is required but missing")
            return default
        value = self.raw[key]
        if not isinstance(value, typ) or isinstance(value, bool) and typ is not bool:
            names = typ.__name__ if isinstance(typ, type) else "/".join(t.__name__ for t in typ)
            raise self._err(key, f"must be {names}, got {type(value).__name__}")
        return value

    def str(self, key: str, default: Any = ...) -> str:
        value = self._get(key, str, default)
        if isinstance(value, str) and default is ... and not value.strip():
            raise self._err(key, "must not be empty")
        return value

    def int(self, key: str) -> int:
        return self._get(key, int)

    def float(self, key: str) -> float:
        return float(self._get(key, (int, float)))

    def choice(self, key: str, options: tuple[str, ...]) -> str:
        value = self.str(key)
        if value not in options:
            raise self._err(key, f"is {value!r}; expected one of {', '.join(options)}")
        return value

    def str_list(self, key: str, required: bool = True) -> list[str]:
        value = self._get(key, list, ... if required else [])
        if not all(isinstance(v, str) for v in value):
            raise self._err(key, "must be a list of strings")
        return value

    def table_list(self, key: str, required: bool) -> list[dict[str, Any]]:
        value = self._get(key, list, ... if required else [])
        if required and not value:
            raise self._err(key, "needs at least one entry")
        if not all(isinstance(v, dict) for v in value):
            raise self._err(key, "must be an array of tables ([[...]])")
        return value

    def lang_table(self, key: str) -> dict[str, str]:
        table = self._get(key, dict)
        return TableReader(self.path, table, self._name(key)).lang_dict()

    def lang_dict(self) -> dict[str, str]:
        out = {}
        for lang in ("en", "zh"):
            out[lang] = self.str(lang)
        return out

    def subtable(self, key: str, allowed: dict[str, Any]) -> dict[str, Any]:
        table = self._get(key, dict, {})
        unknown = set(table) - set(allowed)
        if unknown:
            raise self._err(key, f"unknown field(s): {', '.join(sorted(unknown))}")
        out = {}
        for name, value in table.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise self._err(f"{key}.{name}", "must be a positive number")
            out[name] = value
        return out
