"""Authoring: `new` scaffolds a problem that validate explains; a pack made by the guide validates."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

import cli

PACK = Path(__file__).parent / "fixtures" / "pack" / "problems"
runner = CliRunner()


def test_new_scaffold_is_explained_by_validate(tmp_path: Path) -> None:
    problems = tmp_path / "pack" / "problems"
    shutil.copytree(PACK, problems)
    created = runner.invoke(cli.app, ["new", "causal-softmax", "--problems-dir", str(problems)])
    assert created.exit_code == 0, created.stdout
    folder = problems / "problem2"
    for name in ("problem.toml", "statement.en.md", "statement.zh.md", "stub.py",
                 "tests/test_hidden.py", "mistakes/example_mistake.py"):
        assert (folder / name).is_file(), name
    assert (tmp_path / "pack" / "solutions" / "problem2.py").is_file()
    assert "TODO" in (folder / "stub.py").read_text()
    listed = runner.invoke(cli.app, ["list", "--problems-dir", str(problems)])
    assert "problem2" in listed.stdout and "causal-softmax" not in listed.stderr

    report = runner.invoke(cli.app, ["validate", "problem2", "--problems-dir", str(problems)])
    assert report.exit_code == 1
    text = " ".join(report.stdout.split())
    assert "TODO(author) left in problems/problem2/problem.toml" in text
    assert "solutions/problem2.py" in text
    assert "1 known mistakes; at least 3 are needed" in text
    assert "reference: cannot be graded" in text


def test_new_refuses_a_bad_or_taken_slug(tmp_path: Path) -> None:
    problems = tmp_path / "problems"
    shutil.copytree(PACK, problems)
    bad = runner.invoke(cli.app, ["new", "Causal Softmax", "--problems-dir", str(problems)])
    assert bad.exit_code == 2 and "not a slug" in bad.stderr
    taken = runner.invoke(cli.app, ["new", "masked-softmax", "--problems-dir", str(problems)])
    assert taken.exit_code == 2 and "exists already" in taken.stderr


def test_the_pack_made_by_following_the_guide_validates(monkeypatch) -> None:
    monkeypatch.setenv("ATTN_PRACTICE_PROBLEMS", str(PACK))
    result = runner.invoke(cli.app, ["validate"])
    assert result.exit_code == 0, result.stdout
    assert "1 of 1 problems valid" in result.stdout


def test_every_command_can_use_the_pack(monkeypatch, temp_workspace: Path) -> None:
    monkeypatch.setenv("ATTN_PRACTICE_PROBLEMS", str(PACK))
    assert "masked-softmax" in " ".join(runner.invoke(cli.app, ["list"]).stdout.split()) or \
        "Masked softmax" in runner.invoke(cli.app, ["list"]).stdout
    assert runner.invoke(cli.app, ["show", "masked-softmax"]).exit_code == 0
    assert runner.invoke(cli.app, ["start", "1"]).exit_code == 0
    result = runner.invoke(cli.app, ["submit", "1"])
    assert result.exit_code == 1 and "0/13 checks passed" in result.stdout
