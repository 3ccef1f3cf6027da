"""One long-lived process grades several problems: each must run its own hidden tests."""

from __future__ import annotations

from attn_practice.grader.engine import grade


def test_problems_graded_in_one_process_keep_their_own_tests(catalog) -> None:
    seen = {}
    for pid in ("problem5", "problem9", "problem5", "problem7"):
        problem = catalog.get(pid)
        result = grade(problem, problem.solution_path)
        assert result.status.value == "pass", (pid, result.message, result.failing[:1])
        names = {c.name.split("[")[0] for c in result.checks}
        if pid in seen:
            assert names == seen[pid]
        seen[pid] = names
    assert seen["problem5"] != seen["problem9"] != seen["problem7"]
