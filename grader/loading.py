"""Loading trusted Python files (reference solutions, known mistakes) into the trusted process."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from attn_practice.grader.errors import ProblemFormatError


def load_trusted_module(path: Path, role: str) -> ModuleType:
    """Import a file under a unique private name; a broken file is a ProblemFormatError."""
    if not path.is_file():
        raise ProblemFormatError(path, None, f"the {role} file is missing")
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:10]
    name = f"_attn_{role.replace(' ', '_')}_{path.stem}_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ProblemFormatError(path, None, f"cannot load the {role}")
    module = importlib.util.module_from_spec(spec)
    dont_write = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    try:
        spec.loader.exec_module(module)
    except Exception as err:  # noqa: BLE001 - any error in trusted content is a format error
        raise ProblemFormatError(path, None, f"the {role} fails to import: "
                                 f"{type(err).__name__}: {err}") from err
    finally:
        sys.dont_write_bytecode = dont_write
    return module
