"""Free-text quiz answers: negation, lists, off-topic answers, paraphrases; self-assessment.

The sample answers in solutions/problemN.samples.toml were written before the scorer, as
learners (and people trying to game it) would write them; each must get its verdict.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli
from attn_practice.grader.catalog import Catalog
from attn_practice.grader.errors import ProblemFormatError
from attn_practice.grader.quiz import grade_quiz, load_quiz
from attn_practice.grader.quiz.freetext import is_prose, sentences
from attn_practice.grader.quiz.patterns import Pattern, parse_pattern, read_point
from attn_practice.grader.quiz.samples import check_samples, load_samples
from attn_practice.grader.quiz.sheets import answer_sheet, key_answers, sheet_of
from attn_practice.grader.render.machine import to_json_dict, to_junit
from attn_practice.grader.validate import validate_problem

REPO = Path(__file__).resolve().parent.parent
QUIZZES = ("1", "2", "3", "4", "20", "32")
runner = CliRunner()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(REPO / "problems")


def _all_samples():
    catalog = Catalog.load(REPO / "problems")
    for pid in QUIZZES:
        problem = catalog.get(pid)
        quiz = load_quiz(problem)
        for n, sample in enumerate(load_samples(problem, quiz)):
            yield pytest.param(pid, n, id=f"{problem.id}-{sample.question}-{n}-{sample.kind}-{sample.lang}")


@pytest.mark.parametrize("pid,n", list(_all_samples()))
def test_every_sample_answer_gets_its_verdict(catalog, pid: str, n: int) -> None:
    problem = catalog.get(pid)
    quiz = load_quiz(problem)
    sample = load_samples(problem, quiz)[n]
    verdict = check_samples(problem, quiz, [sample])[0]
    assert verdict.as_expected, verdict.describe()
    if sample.kind != "right":
        assert not verdict.check.verified  # no cheat is ever counted as checked by the grader


def test_the_samples_cover_every_text_question_both_ways(catalog) -> None:
    for pid in QUIZZES:
        problem = catalog.get(pid)
        quiz = load_quiz(problem)
        samples = load_samples(problem, quiz)
        for q in (q for q in quiz.questions if q.type == "text"):
            mine = [s for s in samples if s.question == q.id]
            for lang in ("en", "zh"):
                assert sum(s.kind == "right" and s.lang == lang for s in mine) >= 2, (pid, q.id, lang)
            cheats = {(s.kind, s.lang) for s in mine if s.kind != "right"}
            assert {("negated", "en"), ("negated", "zh")} <= cheats, (pid, q.id)
            assert {k for k, _ in cheats} >= {"list", "off-topic"}, (pid, q.id)


# --- reading a key point -------------------------------------------------------------


def reads(pattern: str, text: str, subjects: dict | None = None) -> str:
    subjects = {k: tuple(parse_pattern(w).groups[0].alternatives) for k, w in (subjects or {}).items()}
    ev = read_point((parse_pattern(pattern),), sentences(text), subjects)
    return "contradicted" if ev.contradicted else "covered" if ev.affirmed else "missing"


@pytest.mark.parametrize("pattern,text,expected", [
    # the issue's own examples
    ("attend + different + position|relation", "Heads attend to different positions.", "covered"),
    ("attend + different + position|relation", "Heads do not attend to different positions.",
     "contradicted"),
    ("symmetr + score", "The scores are not symmetric.", "contradicted"),
    ("忽略 + 键", "代码里键没有被忽略。", "contradicted"),
    ("not: 用到|参与 + 键", "代码里键根本没有参与计算。", "covered"),
    # scope: a cue negates what follows it, up to an "and"
    ("compar + every|each|all$ + key", "It does not skip anything and compares every key.",
     "covered"),
    ("not: skip", "Attention skips nothing: every key is scored.", "covered"),
    ("not: skip", "Keys with small weights are skipped.", "contradicted"),
    # two cues cancel; words that hold a cue without negating
    ("not: skip", "It is not true that nothing is skipped.", "contradicted"),
    ("关注|看 + 不同 + 位置", "不同的头关注不同的位置。", "covered"),
    ("关注|看 + 不同 + 位置", "多个头不能关注不同的位置。", "contradicted"),
    ("not: 重复计算", "新的一步复用缓存，避免重复计算。", "covered"),
    ("not: 重复计算", "它不能避免重复计算。", "contradicted"),
    ("not: 看 + 其他|之外", "跨段的信息，每个词都看不到其他段。", "covered"),
    ("not: 跳过", "软注意力并不会跳过不相关的部分。", "covered"),
    # a negating prefix on the head
    ("symmetr + score", "The scores become asymmetric.", "contradicted"),
    ("not: depend + key", "The scores are independent of the keys.", "covered"),
    ("not: zero$ + weight", "Every weight is nonzero.", "covered"),
    # a cue inside the matched words does not count
    ("does not change", "Subtracting the maximum does not change the result.", "covered"),
    # a quote's own negations, someone else's claim, and other designs
    ("not: express + direction", 'It cannot express directions like "A sees B but B does not see A".',
     "covered"),
    ("not: skip", "The guide says irrelevant keys are skipped, but every key is scored.", "missing"),
    ("not: skip unless sparse", "Sparse attention skips most pairs.", "missing"),
    # words far apart in a long clause are not one statement
    ("symmetr + score", 'Asymmetric relations like "the adjective modifies that noun" cannot be '
                        "captured by the scores any more.", "missing"),
])
def test_negation_and_scope(pattern: str, text: str, expected: str) -> None:
    assert reads(pattern, text) == expected


def test_subjects_bind_a_statement_to_what_it_is_about() -> None:
    subjects = {"bert": "bert|encoder", "gpt": "gpt|decoder"}
    gpt_causal = "causal + @gpt"
    assert reads(gpt_causal, "BERT sees both sides, while GPT uses a causal mask.", subjects) == "covered"
    assert reads(gpt_causal, "BERT uses a causal mask, GPT sees everything.", subjects) == "missing"
    assert reads("not: causal + @bert", "BERT uses a causal mask.", subjects) == "contradicted"
    assert reads(gpt_causal, "GPT predicts the next token. Its mask is causal.", subjects) == "covered"
    assert reads(gpt_causal, "BERT is not bidirectional and GPT is not causal.",
                 subjects) == "contradicted"


@pytest.mark.parametrize("text,prose", [
    ("every key, every query, quadratic, O(n^2), n squared, sparse attention", False),
    ("- all pairs of tokens\n- O(n^2 d)\n- quadratic in length", False),
    ("每个键，所有位置，平方，二次，O(n²)，稀疏", False),
    ("不同位置、不同关系、子空间、投影、平均", False),
    ("keys never used, only the query, project both, same W, keys @ W, softmax", False),
    ("exp overflows to inf", True),
    ("Attention skips nothing: every key is scored.", True),
    ("- the scores become symmetric, so the model cannot express any direction", True),
    ("The cost is quadratic in the sequence length.", True),
    ("分数太大时 exp 会溢出。", True),
    ("序列长度翻倍，计算量变成四倍，复杂度是序列长度的二次方。", True),
])
def test_a_list_of_terms_is_not_prose(text: str, prose: bool) -> None:
    parsed = sentences(text)
    assert any(s.prose for s in parsed) is prose, [(s.text, s.prose) for s in parsed]
    assert is_prose(parsed[0].text) is prose or len(parsed) > 1


def test_pattern_syntax() -> None:
    p = parse_pattern("not: skip|ignor + key|token$ unless sparse")
    assert isinstance(p, Pattern) and p.negative and not p.any_polarity
    assert [a.text for a in p.groups[0].alternatives] == ["skip", "ignor"]
    assert p.groups[1].alternatives[1].whole_word and [a.text for a in p.unless] == ["sparse"]
    assert parse_pattern("any: one + average").any_polarity
    assert parse_pattern("@gpt + causal").groups[0].alternatives[0].text == "causal"  # head first


# --- the key's format: errors, and old keys ----------------------------------------------


def copy_pack(tmp_path: Path, pid: str = "problem1") -> Path:
    pack = tmp_path / "pack"
    shutil.copytree(REPO / "tests" / "fixtures" / "quizpack", pack)
    return pack


def test_a_broken_pattern_names_the_file_and_the_field(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path)
    key = pack / "solutions" / "problem1.toml"
    key.write_text(key.read_text().replace('en = ["overflow|inf$|infinity|too large|too big|nan$"]',
                                           'en = ["overflow + @nobody"]'))
    with pytest.raises(ProblemFormatError) as err:
        load_quiz(Catalog.load(pack / "problems").get("1"))
    assert "key_points[0]" in str(err.value) and "@nobody" in str(err.value)


def test_an_old_phrase_list_key_still_loads_and_is_graded_more_strictly(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path)
    key = pack / "solutions" / "problem1.toml"
    text = key.read_text()
    start, end = text.index('[[answers]]\nid = "q4"'), text.index('[[answers]]\nid = "q5"')
    key.write_text(text[:start] + '''[[answers]]
id = "q4"
explanation = { en = "Because exp overflows for large scores, and the shift does not change the result.", zh = "因为分数大时 exp 会溢出，而平移不会改变结果。" }
[[answers.key_points]]
id = "overflow"
label = { en = "exp overflows for large scores", zh = "分数大时 exp 溢出" }
en = ["overflow", "inf", "too large"]
zh = ["溢出", "无穷"]
[[answers.key_points]]
id = "unchanged"
label = { en = "the result does not change", zh = "结果不变" }
en = ["unchanged", "does not change", "same result", "cancels"]
zh = ["不变", "抵消", "不会改变"]

''' + text[end:])
    (pack / "solutions" / "problem1.samples.toml").unlink()
    problem = Catalog.load(pack / "problems").get("1")
    answers = key_answers(load_quiz(problem))
    assert answers["q4"].startswith("Because exp overflows")  # the explanation is the model answer

    def q4(text: str):
        sheet = sheet_of({**answers, "q4": text}).encode()
        return next(c for c in grade_quiz(problem, Path("s"), sheet).checks if c.name == "q4")

    assert q4("exp can overflow to inf for big scores, and the result is unchanged.").status.value == "pass"
    assert q4("exp never overflows, and the result is not unchanged.").status.value == "fail"
    assert q4("overflow, unchanged").status.value == "fail"
    report = validate_problem(problem)
    assert not report.ok and any("need sample answers" in f.detail for f in report.findings)


def test_validate_catches_a_sample_that_gets_the_wrong_verdict(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path)
    samples = pack / "solutions" / "problem1.samples.toml"
    samples.write_text(samples.read_text() + '''
[[samples]]
question = "q4"
lang = "en"
kind = "right"
text = "Softmax is a smooth version of the maximum."
''')
    report = validate_problem(Catalog.load(pack / "problems").get("1"))
    bad = [f for f in report.findings if not f.ok]
    assert bad and bad[0].step == "reference" and "smooth version" in bad[0].detail


# --- self-assessed questions ------------------------------------------------------------


@pytest.fixture(scope="module")
def mha(catalog):
    return catalog.get("3")  # q9 is self-assessed, q10 scored by the grader


RIGHT_Q9 = ("Different heads can look at different words for different reasons at the same time, "
            "one following syntax and another following meaning.")


def grade_q9(problem, text: str, marks: list[str] | None, lang: str = "en"):
    answers = key_answers(load_quiz(problem), lang)
    answers["q9"] = text
    if marks is None:
        del answers["self_assessed"]
    else:
        answers["self_assessed"] = {"q9": marks}
    result = grade_quiz(problem, Path("s"), sheet_of(answers).encode(), lang=lang)
    return result, next(c for c in result.checks if c.name == "q9")


def test_an_unmarked_self_assessed_answer_asks_for_marks(mha) -> None:
    result, check = grade_q9(mha, RIGHT_Q9, None)
    assert check.status.value == "fail" and "not marked yet" in check.message
    assert check.scoring == "self" and check.model_answer and check.answer == RIGHT_Q9
    assert "[self_assessed]" in result.next_step and "q9 = [\"different\"]" in result.next_step


def test_self_marks_decide_but_are_never_verified(mha) -> None:
    result, check = grade_q9(mha, RIGHT_Q9, ["different"])
    assert result.status.value == "pass" and check.status.value == "pass"
    assert check.scoring == "self" and not check.verified and "not checked by the grader" in check.message
    doc = to_json_dict(result)
    q9 = next(t for t in doc["tests"] if t["name"] == "q9")
    assert q9["scoring"] == "self" and q9["verified"] is False and q9["model_answer"]
    assert [p["state"] for p in q9["key_points"]] == ["marked", "not marked", "not marked"]
    assert doc["self_assessed"] == ["q9"]
    q10 = next(t for t in doc["tests"] if t["name"] == "q10")
    assert q10["scoring"] == "auto" and q10["verified"] is True
    assert 'name="scoring" value="self"' in to_junit(result)


@pytest.mark.parametrize("text,marks,message", [
    (RIGHT_Q9, ["subspace"], "by your own marks, missing"),
    (RIGHT_Q9, ["different", "magic"], "unknown key point(s) magic"),
    ("different positions, subspaces, average", ["different", "subspace", "average"], "list of terms"),
    ("Heads do not attend to different positions; they all learn the same pattern.",
     ["different"], "says the opposite"),
])
def test_what_self_marks_cannot_pass(mha, text: str, marks: list[str], message: str) -> None:
    result, check = grade_q9(mha, text, marks)
    assert check.status.value == "fail" and message in check.message


def test_the_sheet_says_which_text_question_is_scored_how(mha) -> None:
    sheet = answer_sheet(mha)
    assert "# --- q9 (free text, self-assessed" in sheet
    assert "# --- q10 (free text, scored by the grader" in sheet
    assert sheet.rstrip().endswith("q9 = []") and "[self_assessed]" in sheet
    assert "自评" in answer_sheet(mha, "zh")


def test_interactive_quiz_asks_for_self_marks_after_the_answers(temp_workspace: Path) -> None:
    answers = ("c\nb\na b c f\n0.0625\nb\n1048576\na b d\na b c\n" + RIGHT_Q9 + "\n"
               "Each head would never see tokens in the other blocks, so dependencies across "
               "blocks are lost; split the feature dimension into d/h per head instead.\n"
               "7\n1\n")  # 7 is not a key point: asked again
    result = runner.invoke(cli.app, ["quiz", "3"],
                           input=answers)
    assert result.exit_code == 0, result.stdout
    assert "Model answer" in result.stdout and "Numbers from 1 to 3" in result.stdout
    assert "1 of them self-assessed (q9)" in result.stdout
    sheet = (temp_workspace / "problem3" / "answers.toml").read_text()
    assert sheet.rstrip().endswith('q9 = ["different"]')


def test_the_rendered_report_shows_the_answer_beside_the_model_answer(mha) -> None:
    from attn_practice.grader.render.console import render_submission
    from attn_practice.grader.render.terminal import make_console

    result, _ = grade_q9(mha, RIGHT_Q9, ["different"])
    console = make_console(plain=True, width=120)
    with console.capture() as captured:
        render_submission(console, result, "problem3", plain=True)
    out = captured.get()
    assert "ok q9  (self-assessed)" in out and "Your answer" in out and "Model answer" in out
    assert "[x] different" in out and "[ ] subspace" in out


def test_every_quiz_validates(catalog) -> None:
    for pid in QUIZZES:
        report = validate_problem(catalog.get(pid))
        assert report.ok, [f for f in report.findings if not f.ok]


def test_json_output_of_a_quiz_is_plain_data(mha) -> None:
    result, _ = grade_q9(mha, RIGHT_Q9, ["different"])
    json.dumps(to_json_dict(result))  # nothing that is not JSON


def test_a_long_crafted_answer_is_refused_and_reading_stays_fast(catalog) -> None:
    import time

    from attn_practice.grader.quiz.grading import read_answer

    problem = catalog.get("1")
    key = key_answers(load_quiz(problem))
    long = "The model " + " ".join(["it compares every"] * 400) + " key."
    result = grade_quiz(problem, Path("s"), sheet_of({**key, "q10": long}).encode())
    check = next(c for c in result.checks if c.name == "q10")
    assert check.status.value == "fail" and "not a sentence or two" in check.message
    started = time.perf_counter()  # the matcher itself: no blow-up on a long clause
    read_answer(load_quiz(problem).key["q10"], " ".join(["it compares every"] * 300) + " key")
    assert time.perf_counter() - started < 5
