"""The problem format (problem.toml, format_version 1) and the catalog that loads it.

Every field is documented in docs/problem-format.md. Loading never imports torch.
A folder that breaks the format becomes a `BrokenProblem` naming the file and
field, so one bad problem never hides the others.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, NamedTuple

from attn_practice.grader.errors import ProblemFormatError, ProblemNotFoundError
from attn_practice.grader.tablereader import TableReader
from attn_practice.grader.tomlcache import TomlCache, toml_error, toml_loads
from attn_practice.grader.probes.spec import parse_cost, parse_probes
from attn_practice.grader.points import Points, parse_points


FORMAT_VERSION = 1
KINDS = ("code", "quiz")
DIFFICULTIES = ("easy", "medium", "hard")
_ID_RE = re.compile(r"^problem(\d+)$")
_SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Kind(str, Enum):
    CODE = "code"
    QUIZ = "quiz"


@dataclass(frozen=True)
class Limits:
    """Sandbox limits for one submission; problem.toml [limits] overrides the defaults."""

    call_seconds: float = 10.0
    submission_seconds: float = 60.0
    memory_mb: int = 2048
    output_kb: int = 64
    # validate: the hidden tests against the reference must finish within this
    time_budget_seconds: float = 60.0


class Tolerance(NamedTuple):
    """How close a float result of one dtype must be: |got - want| <= atol + rtol * |want|."""

    rtol: float
    atol: float


DEFAULT_TOLERANCES: dict[str, Tolerance] = {
    "float16": Tolerance(rtol=1e-2, atol=1e-3),
    "bfloat16": Tolerance(rtol=2e-2, atol=1e-2),
    "float32": Tolerance(rtol=1e-4, atol=1e-5),
    # tight: a float32 shortcut inside a float64 call must fail
    "float64": Tolerance(rtol=1e-9, atol=1e-11),
}


class EntryPoint(NamedTuple):
    """A function the attempt must define, with the signature the statement shows."""

    name: str
    signature: str


class Hint(NamedTuple):
    """One hint, in each language it is written in."""

    text: dict[str, str]  # lang -> text


class Mistake(NamedTuple):
    """A known mistake: mistakes/<id>.py, the hidden tests must fail it and name it."""

    id: str
    title: dict[str, str]
    diagnosis: dict[str, str]
    folder: Path  # the problem's folder
    tags: tuple[str, ...] = ()  # kinds of mistake (grader/kinds.py): what review groups by

    @property
    def path(self) -> Path:
        """mistakes/<id with _>.py (made when asked: `list` loads hundreds of mistakes)."""
        return self.folder / "mistakes" / f"{self.id.replace('-', '_')}.py"


class FollowupSpec(NamedTuple):
    """A `[[followups]]` table: a quiz question with its answer, parsed by grader/followups.py."""

    id: str
    raw: dict[str, Any]


@dataclass(frozen=True)
class Problem:
    """A problem folder, loaded: what it asks, how it is graded, what it teaches."""

    id: str
    number: int
    slug: str
    kind: Kind
    title: dict[str, str]
    difficulty: str
    tags: tuple[str, ...]
    guide_section: str
    folder: Path
    solutions_dir: Path
    entry_points: tuple[EntryPoint, ...] = ()
    forbidden: tuple[str, ...] = ()
    hints: tuple[Hint, ...] = ()
    mistakes: tuple[Mistake, ...] = ()
    followups: tuple[FollowupSpec, ...] = ()
    limits: Limits = field(default_factory=Limits)
    tolerances: dict[str, Tolerance] = field(default_factory=lambda: dict(DEFAULT_TOLERANCES))
    probes: Any = None  # grader.probes.spec.ProbeSpec: what probes may call, and how
    cost: Any = None  # grader.probes.spec.CostSpec: the larger input cost is measured on
    points: Points = field(default_factory=Points)  # [points]: what each check is worth

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title["en"]

    def statement_path(self, lang: str) -> Path:
        return self.folder / f"statement.{lang}.md"

    @property
    def stub_path(self) -> Path:
        """The code stub, or for quizzes the questions the answer sheet is made from."""
        return self.folder / ("stub.py" if self.kind is Kind.CODE else "quiz.toml")

    @property
    def tests_dir(self) -> Path:
        return self.folder / "tests"

    @property
    def solution_path(self) -> Path:
        suffix = ".py" if self.kind is Kind.CODE else ".toml"
        return self.solutions_dir / f"{self.id}{suffix}"

    @property
    def attempt_name(self) -> str:
        return "attempt.py" if self.kind is Kind.CODE else "answers.toml"


class BrokenProblem(NamedTuple):
    """A folder that looks like a problem but does not load; listed with its error."""

    id: str
    folder: Path
    error: ProblemFormatError

    @property
    def number(self) -> int:
        m = _ID_RE.match(self.id)
        return int(m.group(1)) if m else 10**9


class Catalog:
    def __init__(self, problems: list[Problem], broken: list[BrokenProblem], root: Path) -> None:
        self.problems = sorted(problems, key=lambda p: p.number)
        self.broken = sorted(broken, key=lambda b: b.number)
        self.root = root

    @classmethod
    def load(cls, problems_dir: Path, solutions_dir: Path | None = None,
             cache_file: Path | None = None) -> Catalog:
        """Load every problem folder; `cache_file` keeps parsed problem.toml files between runs."""
        cache = TomlCache(cache_file)
        problems_dir = problems_dir.resolve()
        if not problems_dir.is_dir():
            raise ProblemFormatError(problems_dir, None, "the problems folder does not exist")
        solutions = (solutions_dir or problems_dir.parent / "solutions").resolve()
        problems: list[Problem] = []
        broken: list[BrokenProblem] = []
        for folder in sorted(problems_dir.iterdir()):
            if not folder.is_dir() or folder.name.startswith((".", "_")):
                continue
            try:
                problems.append(load_problem(folder, solutions, cache))
            except ProblemFormatError as err:
                broken.append(BrokenProblem(folder.name, folder, err))
        cache.save()
        return cls(problems, broken, problems_dir)

    def all_ids(self) -> list[str]:
        return [p.id for p in self.problems] + [b.id for b in self.broken]

    def get(self, query: str) -> Problem:
        """Find a problem by id (`problem7`), number (`7`) or slug (`multi-head-attention`)."""
        q = query.strip().lower()
        if q.isdigit():
            q = f"problem{int(q)}"
        for p in self.problems:
            if q in (p.id, p.slug):
                return p
        for b in self.broken:
            if q == b.id:
                raise b.error
        names = [p.id for p in self.problems] + [p.slug for p in self.problems]
        close = difflib.get_close_matches(q, names, n=3, cutoff=0.6)
        raise ProblemNotFoundError(query, close)


# --- loading one folder -----------------------------------------------------------


def load_problem(folder: Path, solutions_dir: Path, cache: TomlCache | None = None) -> Problem:
    toml_path = folder / "problem.toml"
    if not toml_path.is_file():
        raise ProblemFormatError(toml_path, None, "missing problem.toml")
    try:
        data = cache.load(toml_path) if cache else toml_loads(toml_path.read_text("utf-8"))
    except (toml_error(), UnicodeDecodeError) as err:
        raise ProblemFormatError(toml_path, None, f"not valid TOML: {err}") from err
    r = TableReader(toml_path, data)

    version = r.int("format_version")
    if version != FORMAT_VERSION:
        raise ProblemFormatError(
            toml_path, "format_version", f"is {version}; this version reads {FORMAT_VERSION}"
        )
    pid = r.str("id")
    m = _ID_RE.match(pid)
    if not m:
        raise ProblemFormatError(toml_path, "id", f"{pid!r} must look like 'problem7'")
    if pid != folder.name:
        raise ProblemFormatError(toml_path, "id", f"{pid!r} differs from the folder name")
    slug = r.str("slug")
    if not _SLUG_RE.match(slug):
        raise ProblemFormatError(toml_path, "slug", f"{slug!r} must be lowercase-with-dashes")
    kind_name = r.choice("kind", KINDS)
    kind = Kind(kind_name)
    title = r.lang_table("title")
    difficulty = r.choice("difficulty", DIFFICULTIES)
    tags = tuple(r.str_list("tags"))
    guide_section = r.str("guide_section", default="")

    entry_points: list[EntryPoint] = []
    if kind is Kind.CODE:
        for i, ep in enumerate(r.table_list("entry_points", required=True)):
            er = TableReader(toml_path, ep, f"entry_points[{i}]")
            name = er.str("name")
            if not _IDENT_RE.match(name):
                raise ProblemFormatError(toml_path, f"entry_points[{i}].name", "not an identifier")
            entry_points.append(EntryPoint(name, er.str("signature")))

    hints = []
    for i, h in enumerate(r.table_list("hints", required=False)):
        hints.append(Hint(TableReader(toml_path, h, f"hints[{i}]").lang_dict()))

    mistakes = []
    for i, mk in enumerate(r.table_list("mistakes", required=False)):
        mr = TableReader(toml_path, mk, f"mistakes[{i}]")
        mid = mr.str("id")
        if not _SLUG_RE.match(mid):
            raise ProblemFormatError(toml_path, f"mistakes[{i}].id", "must be lowercase-with-dashes")
        kinds = mr.str_list("tags", required=False)
        if not all(_SLUG_RE.match(t) for t in kinds):
            raise ProblemFormatError(toml_path, f"mistakes[{i}].tags", "must be lowercase-with-dashes")
        mistakes.append(
            Mistake(mid, mr.lang_table("title"), mr.lang_table("diagnosis"), folder, tuple(kinds))
        )
    if len({mk.id for mk in mistakes}) != len(mistakes):
        raise ProblemFormatError(toml_path, "mistakes", "two mistakes share an id")
    followups = _followups(toml_path, r)

    limits = Limits(**r.subtable("limits", Limits.__dataclass_fields__))
    tolerances = dict(DEFAULT_TOLERANCES)
    for dtype, tol in r.raw.get("tolerance", {}).items():
        if dtype not in DEFAULT_TOLERANCES or not isinstance(tol, dict):
            raise ProblemFormatError(toml_path, f"tolerance.{dtype}", "unknown dtype")
        tr = TableReader(toml_path, tol, f"tolerance.{dtype}")
        tolerances[dtype] = Tolerance(rtol=tr.float("rtol"), atol=tr.float("atol"))

    return Problem(
        id=pid,
        number=int(m.group(1)),
        slug=slug,
        kind=kind,
        title=title,
        difficulty=difficulty,
        tags=tags,
        guide_section=guide_section,
        folder=folder,
        solutions_dir=solutions_dir,
        entry_points=tuple(entry_points),
        forbidden=tuple(r.str_list("forbidden", required=False)),
        hints=tuple(hints),
        mistakes=tuple(mistakes),
        followups=followups,
        limits=limits,
        tolerances=tolerances,
        probes=parse_probes(r.raw.get("probes"), toml_path),
        cost=parse_cost(r.raw.get("cost"), toml_path),
        points=parse_points(toml_path, r.raw.get("points")),
    )


def _followups(toml_path: Path, r: TableReader) -> tuple[FollowupSpec, ...]:
    """`[[followups]]`: only their ids are checked here; the question and its answer are
    parsed where they are used (interview, validate), so `list` never imports the quiz code."""
    specs = []
    for i, raw in enumerate(r.table_list("followups", required=False)):
        fid = TableReader(toml_path, raw, f"followups[{i}]").str("id")
        specs.append(FollowupSpec(fid, raw))
    if len({f.id for f in specs}) != len(specs):
        raise ProblemFormatError(toml_path, "followups", "two follow-ups share an id")
    return tuple(specs)

