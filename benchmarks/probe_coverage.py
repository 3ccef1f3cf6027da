"""How many known mistakes the probes alone name: each mistake is graded as an attempt with
the known-mistake diagnosis switched off and the probes forced on.

    python benchmarks/probe_coverage.py [problem5 problem9 ...]

Prints, per problem, each mistake and what the probes found, then the totals.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from attn_practice.grader.catalog import Catalog, Kind  # noqa: E402
from attn_practice.grader.engine import grade  # noqa: E402


def main(ids: list[str]) -> None:
    catalog = Catalog.load(REPO / "problems")
    problems = [catalog.get(i) for i in ids] if ids else \
        [p for p in catalog.problems if p.kind is Kind.CODE and p.probes is not None]
    named = total = 0
    for problem in problems:
        if problem.probes is None:
            print(f"{problem.id}: declares no probes")
            continue
        reference = grade(problem, problem.solution_path, diagnose=False, probe_always=True)
        flag = "" if not reference.findings else \
            f"   REFERENCE TRIGGERS {[f.id for f in reference.findings]}"
        print(f"{problem.id}{flag}")
        for mistake in problem.mistakes:
            result = grade(problem, mistake.path, diagnose=False, probe_always=True)
            found = [f.id.removeprefix("probe:") for f in result.findings]
            total += 1
            named += bool(found)
            print(f"  {mistake.id:32} {', '.join(found) or '-'}")
    print(f"\nprobes alone name {named} of {total} known mistakes")


if __name__ == "__main__":
    main(sys.argv[1:])
