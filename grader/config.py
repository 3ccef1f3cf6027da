"""Where things live: the problem collection, its solutions, the learner's workspace."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

ENV_PROBLEMS = "ATTN_PRACTICE_PROBLEMS"
ENV_WORKSPACE = "ATTN_PRACTICE_WORKSPACE"
ENV_LANG = "ATTN_PRACTICE_LANG"

REPO_ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "zh")


class Settings(NamedTuple):
    """Where the problems, solutions and workspace are, and the language."""

    problems_dir: Path
    solutions_dir: Path
    workspace: Path
    lang: str = "en"


def resolve_settings(
    problems_dir: Path | None = None,
    workspace: Path | None = None,
    lang: str | None = None,
) -> Settings:
    """Flags win over environment variables, which win over the defaults."""
    problems = problems_dir or _env_path(ENV_PROBLEMS) or REPO_ROOT / "problems"
    problems = problems.expanduser().resolve()
    ws = workspace or _env_path(ENV_WORKSPACE) or Path.home() / "attn-practice"
    language = (lang or os.environ.get(ENV_LANG) or "en").lower()
    if language not in LANGUAGES:
        language = "en"
    return Settings(
        problems_dir=problems,
        solutions_dir=problems.parent / "solutions",
        workspace=ws.expanduser().resolve(),
        lang=language,
    )


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None
