"""`new`: scaffold the next-numbered problem folder and its solution, with TODO markers.

Every placeholder an author must replace says `TODO(author)`; `validate` refuses a
problem while any is left and says which file still has one.
"""

from __future__ import annotations

import re
from pathlib import Path

from attn_practice.grader.catalog import Catalog
from attn_practice.grader.errors import GraderError

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def scaffold(problems_dir: Path, solutions_dir: Path, slug: str, kind: str) -> list[Path]:
    if not _SLUG.match(slug):
        raise GraderError(f"{slug!r} is not a slug.", hint="Use lowercase-with-dashes, e.g. "
                          "causal-softmax.")
    if kind not in ("code", "quiz"):
        raise GraderError(f"--kind is {kind!r}; use code or quiz.")
    problems_dir.mkdir(parents=True, exist_ok=True)
    catalog = Catalog.load(problems_dir, solutions_dir)
    if any(p.slug == slug for p in catalog.problems):
        raise GraderError(f"A problem called {slug!r} exists already.")
    numbers = [p.number for p in catalog.problems] + [b.number for b in catalog.broken
                                                      if b.number < 10**9]
    pid = f"problem{max(numbers, default=0) + 1}"
    folder = problems_dir / pid
    folder.mkdir()
    solutions_dir.mkdir(parents=True, exist_ok=True)
    files = _code_files(pid, slug) if kind == "code" else _quiz_files(pid, slug)
    written = []
    for rel, text in files.items():
        path = (solutions_dir / rel.split("/", 1)[1]) if rel.startswith("solutions/") else folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _fn(slug: str) -> str:
    return slug.replace("-", "_")


def _statements(pid: str, slug: str, signature: str) -> dict[str, str]:
    return {
        "statement.en.md": f"""# TODO(author): title

TODO(author): what the learner writes and why it matters, in two or three sentences.

## Signature

```python
{signature}
```

| argument | shape | meaning |
|---|---|---|
| TODO(author) | `[..., n, d]` | |

## What to compute

TODO(author): the steps, the rules (dtypes, ValueError cases, forbidden calls).

## Worked example

TODO(author): small inputs and the output your reference solution prints for them.

## Where this sits in the guide

TODO(author)

## What the guide got wrong

TODO(author)
""",
        "statement.zh.md": f"""# TODO(author): 标题

TODO(author): 用两三句话说明要写什么、为什么重要。

## 函数签名

```python
{signature}
```

## 计算内容

TODO(author)

## 示例

TODO(author)

## 在原文中的位置

TODO(author)

## 原文的错误

TODO(author)
""",
    }


def _code_files(pid: str, slug: str) -> dict[str, str]:
    fn = _fn(slug)
    signature = f"{fn}(x: Tensor) -> Tensor"
    files = _statements(pid, slug, f"def {signature}")
    files["problem.toml"] = f'''format_version = 1
id = "{pid}"
slug = "{slug}"
kind = "code"
difficulty = "medium"                 # easy | medium | hard
tags = ["TODO(author)"]
guide_section = "TODO(author)"
forbidden = []                        # e.g. ["torch.nn.functional.scaled_dot_product_attention"]

[title]
en = "TODO(author)"
zh = "TODO(author)"

[[entry_points]]
name = "{fn}"
signature = "{signature}"

[[hints]]
en = "TODO(author): a nudge"
zh = "TODO(author)"

[[hints]]
en = "TODO(author): a bigger hint"
zh = "TODO(author)"

[[hints]]
en = "TODO(author): nearly the answer"
zh = "TODO(author)"

[[mistakes]]
id = "example-mistake"
title = {{ en = "TODO(author): the mistake in a few words", zh = "TODO(author)" }}
diagnosis = {{ en = "TODO(author): what the code does, why it is wrong, what to do instead", zh = "TODO(author)" }}
'''
    files["stub.py"] = f'''"""{pid} · {slug}. Read the statement: attn-practice show {pid}"""

import torch


def {fn}(x: torch.Tensor) -> torch.Tensor:
    """TODO(author): one line on what this computes."""
    # TODO: write the computation
    raise NotImplementedError("{fn} is not written yet")
'''
    files["tests/test_hidden.py"] = f'''"""Hidden checks for {pid}. Run by the grader, never shown to learners."""

import pytest
import torch

from grader.checks import check_gradients, check_inputs_unchanged, expect_close, randn


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_values(candidate, reference, dtype):
    """TODO(author): what this check shows, as a sentence the learner reads."""
    x = randn(4, 8, dtype=dtype, seed=1)
    expect_close(candidate.{fn}(x), reference.{fn}(x))


def test_inputs_not_modified(candidate, reference):
    """The function leaves its input exactly as it got it."""
    x = randn(3, 5, dtype=torch.float64, seed=2)
    expect_close(check_inputs_unchanged(candidate.{fn}, x, names=["x"]), reference.{fn}(x))


def test_gradients_flow(candidate, reference):
    """Gradients reach x and equal the reference's (float64)."""
    x = randn(3, 5, dtype=torch.float64, seed=3)
    check_gradients(candidate.{fn}, reference.{fn}, [x], wrt=[0], names=["x"])
'''
    files["mistakes/example_mistake.py"] = f'''"""Known mistake: TODO(author): one realistic error, and nothing else wrong."""

import torch


def {fn}(x: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("TODO(author): the reference with exactly one deliberate error")
'''
    files[f"solutions/{pid}.py"] = f'''"""TODO(author): the idea in a few lines, and what the guide got wrong.

Shown to learners after they pass: make it read like the math.
"""

import torch


def {fn}(x: torch.Tensor) -> torch.Tensor:
    """TODO(author)"""
    raise NotImplementedError("TODO(author): the reference solution")
'''
    return files


def _quiz_files(pid: str, slug: str) -> dict[str, str]:
    files = _statements(pid, slug, "# a quiz: attn-practice quiz " + pid)
    files["problem.toml"] = f'''format_version = 1
id = "{pid}"
slug = "{slug}"
kind = "quiz"
difficulty = "easy"
tags = ["TODO(author)"]
guide_section = "TODO(author)"

[title]
en = "TODO(author)"
zh = "TODO(author)"

[[hints]]
en = "TODO(author)"
zh = "TODO(author)"

[[hints]]
en = "TODO(author)"
zh = "TODO(author)"

[[hints]]
en = "TODO(author)"
zh = "TODO(author)"
'''
    files["quiz.toml"] = '''# Six questions at least, mixing single, multiple, numeric and text.

[[questions]]
id = "q1"
type = "single"
prompt = { en = "TODO(author)", zh = "TODO(author)" }
choices = [
  { id = "a", text = { en = "TODO(author)", zh = "TODO(author)" } },
  { id = "b", text = { en = "TODO(author)", zh = "TODO(author)" } },
]

[[questions]]
id = "q2"
type = "text"
prompt = { en = "TODO(author)", zh = "TODO(author)" }
'''
    files[f"solutions/{pid}.toml"] = '''[[answers]]
id = "q1"
answer = "a"
explanation = { en = "TODO(author)", zh = "TODO(author)" }

[[answers]]
id = "q2"
explanation = { en = "TODO(author)", zh = "TODO(author)" }
[[answers.key_points]]
id = "point"
label = { en = "TODO(author)", zh = "TODO(author)" }
en = ["todo(author)"]
zh = ["待补充"]
'''
    return files
