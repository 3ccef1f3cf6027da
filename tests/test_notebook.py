"""The notebook API in a real Jupyter kernel (nbclient + ipykernel): a right function passes,
a wrong one names its mistake, what cannot be carried over is named, and the progress store
is the command line's."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

nbclient = pytest.importorskip("nbclient", reason="nbclient is a test dependency "
                               "(pip install 'attn-practice[test]')")
pytest.importorskip("ipykernel", reason="ipykernel is a test dependency")
import nbformat  # noqa: E402 - comes with nbclient

REPO = Path(__file__).resolve().parent.parent

SETUP = """\
import math
import torch
import attn_practice as ap

NEG = torch.finfo(torch.float64).min  # a constant from another cell


def scores_of(q, k):  # a helper from another cell
    return q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
"""

RIGHT = """\
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = scores_of(q, k)
    if mask is not None:
        scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
    weights = torch.softmax(scores, dim=-1)
    if mask is not None:
        weights = weights * mask
    return weights @ v, weights

right = ap.check(9, scaled_dot_product_attention)
print("RIGHT", right.passed, right.score)
"""

WRONG = """\
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = scores_of(q, k)
    if mask is not None:
        scores = scores.masked_fill(mask, torch.finfo(scores.dtype).min)  # inverted
    weights = torch.softmax(scores, dim=-1)
    if mask is not None:
        weights = weights * ~mask
    return weights @ v, weights

wrong = ap.check(9)  # found by name in the notebook
print("WRONG", wrong.passed, wrong.diagnosis["mistake_id"] if wrong.diagnosis else None)
wrong
"""

CLOSURE = """\
def make():
    scale = 2.0
    def scaled_dot_product_attention(q, k, v, mask=None):
        return q * scale, q
    return scaled_dot_product_attention

try:
    ap.check(9, make())
except Exception as err:
    print("CANNOT", type(err).__name__, err)
"""


def test_a_notebook_checks_right_and_wrong_functions(tmp_path: Path, monkeypatch) -> None:
    workspace = tmp_path / "ws"
    monkeypatch.setenv("ATTN_PRACTICE_WORKSPACE", str(workspace))
    monkeypatch.setenv("PYTHONPATH", str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in (SETUP, RIGHT, WRONG, CLOSURE)]
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=600,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    text = "\n".join(_outputs(nb))
    assert "RIGHT True 1.0" in text, text[-3000:]
    assert "WRONG False inverted-mask" in text, text[-3000:]
    assert "Looks like a known mistake: Mask convention inverted" in text  # the report renders
    assert "CANNOT CannotCarry" in text and "closure" in text, text[-2000:]
    with sqlite3.connect(workspace / "progress.sqlite3") as db:  # the CLI's store
        rows = db.execute("SELECT problem_id, status, diagnosis FROM submissions").fetchall()
    assert rows == [("problem9", "pass", None), ("problem9", "fail", "inverted-mask")]


def test_start_notebook_writes_a_notebook_that_runs(tmp_path: Path, monkeypatch) -> None:
    """`start 9 --notebook`: statement, stub, check cell; the untouched stub fails, not crashes."""
    from typer.testing import CliRunner

    import cli

    workspace = tmp_path / "ws"
    monkeypatch.setenv("ATTN_PRACTICE_WORKSPACE", str(workspace))
    monkeypatch.setenv("PYTHONPATH", str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = CliRunner().invoke(cli.app, ["start", "9", "--notebook"])
    assert result.exit_code == 0, result.output
    nb = nbformat.read(workspace / "problem9.ipynb", as_version=4)
    assert nb.cells[0].cell_type == "markdown" and "TODO" in nb.cells[1].source
    nb.cells = nb.cells[:4]  # not the hint cell: hints are counted
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=600,
                                     resources={"metadata": {"path": str(workspace)}})
    client.execute()
    text = "\n".join(_outputs(nb))
    assert "FAIL" in text and "problem9" in text, text[-2000:]


def _outputs(nb) -> list[str]:
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("text"):
                out.append(o["text"])
            data = o.get("data", {})
            out += [data.get("text/markdown", ""), data.get("text/plain", "")]
            if o.get("ename"):
                out.append(f"{o['ename']}: {o['evalue']}")
    return out
