"""Follow-up questions and mistake kinds in problem.toml: loaded, documented, validated."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli
from attn_practice.grader.catalog import Catalog, Kind
from attn_practice.grader.errors import ProblemFormatError
from attn_practice.grader.followups import check_followups, grade, load_followups
from attn_practice.grader.kinds import MISTAKE_KINDS, check_tags
from attn_practice.grader.validate import ProblemReport, _check_followups_and_tags

REPO = Path(__file__).resolve().parent.parent
PACK = Path(__file__).parent / "fixtures" / "pack"
WRITTEN = {5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 29, 30, 31}


def test_every_code_problem_here_has_a_sound_followup_and_tagged_mistakes(catalog) -> None:
    code = [p for p in catalog.problems if p.kind is Kind.CODE]
    with_followups = {p.number for p in code if p.followups}
    assert WRITTEN <= with_followups
    for p in code:
        if p.number in WRITTEN:
            assert check_followups(p) == [], p.id
            assert check_tags(p.mistakes) == ([], False), p.id
            assert all(m.tags for m in p.mistakes), p.id
    assert catalog.get("9").tags == ("dot-product", "softmax", "scaling", "masking")
    assert catalog.get("9").mistakes[0].tags == ("scale",)


def test_a_followup_is_graded_like_a_quiz_answer_in_both_languages(catalog) -> None:
    f = load_followups(catalog.get("30"))[0]
    assert f.question.type == "multiple"
    assert grade(f, "a b c", "en").status.value == "pass"
    wrong = grade(f, ["a", "d"], "zh")
    assert wrong.status.value == "fail"
    assert "生成的长度事先未知" in wrong.explanation


def test_the_kinds_table_in_the_docs_is_the_code_vocabulary() -> None:
    doc = (REPO / "docs" / "problem-format.md").read_text(encoding="utf-8")
    section = doc.split("### Mistake kinds", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| `([a-z-]+)` \| (.+) \|$", section, flags=re.M)
    assert dict(documented) == MISTAKE_KINDS


def _pack_with(tmp_path: Path, extra: str, mistake_tags: str | None = None) -> Catalog:
    root = tmp_path / "pack"
    shutil.copytree(PACK, root)
    toml = root / "problems" / "problem1" / "problem.toml"
    text = toml.read_text(encoding="utf-8")
    if mistake_tags is not None:
        text = re.sub(r"^(diagnosis = .*)$", r"\1\n" + mistake_tags, text, count=1, flags=re.M)
    toml.write_text(text + extra, encoding="utf-8")
    return Catalog.load(root / "problems")


def _report(catalog: Catalog) -> ProblemReport:
    report = ProblemReport("problem1", "pack")
    _check_followups_and_tags(catalog.get("1"), report)
    return report


GOOD = '''
[[followups]]
id = "cost"
type = "single"
prompt = { en = "How much memory?", zh = "需要多少内存？" }
choices = [
  { id = "a", text = { en = "O(n)", zh = "O(n)" } },
  { id = "b", text = { en = "O(n^2)", zh = "O(n^2)" } },
]
answer = "b"
explanation = { en = "The scores are n by n.", zh = "分数是 n × n。" }
'''


def test_without_followups_or_tags_a_problem_is_valid_with_gaps(tmp_path: Path) -> None:
    report = _report(_pack_with(tmp_path, ""))
    assert report.ok
    assert [f.step for f in report.findings if f.gap] == ["followup", "tags"]


def test_a_sound_followup_and_known_tags_pass(tmp_path: Path) -> None:
    catalog = _pack_with(tmp_path, GOOD, mistake_tags='tags = ["stability"]')
    report = _report(catalog)
    assert not report.ok  # one mistake tagged, the others not: that is a failure
    assert "no tags on" in next(f.detail for f in report.findings if f.step == "tags")
    assert report.step_ok("followup") is True and not report.gaps("followup")


@pytest.mark.parametrize("broken, message", [
    (GOOD.replace('answer = "b"', 'answer = "c"'), "'c' is not a choice"),
    (GOOD.replace("\nexplanation = { en = \"The scores are n by n.\", zh = \"分数是 n × n。\" }", ""),
     "explanation"),
    (GOOD + GOOD, None),  # two follow-ups share an id: the loader refuses the problem
])
def test_a_broken_followup_fails_validate(tmp_path: Path, broken: str, message: str | None) -> None:
    catalog = _pack_with(tmp_path, broken)
    if message is None:
        assert [b.id for b in catalog.broken] == ["problem1"]
        assert "two follow-ups share an id" in str(catalog.broken[0].error)
        return
    report = _report(catalog)
    assert report.step_ok("followup") is False
    assert message in next(f.detail for f in report.findings if f.step == "followup")


def test_an_unknown_tag_fails_and_a_bad_one_does_not_load(tmp_path: Path) -> None:
    catalog = _pack_with(tmp_path, "", mistake_tags='tags = ["softmax-axes"]')
    problems, _ = check_tags(catalog.get("1").mistakes)
    assert any("unknown tag 'softmax-axes'" in p for p in problems)
    bad = _pack_with(tmp_path / "again", "", mistake_tags='tags = ["Softmax Axis"]')
    assert isinstance(bad.broken[0].error, ProblemFormatError)
    assert "[mistakes[0].tags]" in str(bad.broken[0].error)


def test_validate_lists_the_gaps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTN_PRACTICE_PROBLEMS", str(PACK / "problems"))
    result = CliRunner().invoke(cli.app, ["validate"])
    assert result.exit_code == 0, result.stdout
    out = " ".join(result.stdout.split())
    assert "0 of 1 code problems have a follow-up question; not yet: problem1" in out
    assert "0 of 1 code problems have tags on their mistakes; not yet: problem1" in out


def test_interview_and_review_have_help_with_an_example() -> None:
    for name in ("interview", "review"):
        result = CliRunner().invoke(cli.app, [name, "--help"])
        assert result.exit_code == 0
        assert f"Example: attn-practice {name}" in " ".join(result.stdout.split())
