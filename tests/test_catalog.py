"""The problem format: a malformed folder is an error naming the file and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from attn_practice.grader.catalog import Catalog
from attn_practice.grader.errors import ProblemFormatError, ProblemNotFoundError

REPO = Path(__file__).resolve().parent.parent


def make_pack(tmp_path: Path, edit: str | None = None, new: str = "") -> Path:
    problems = tmp_path / "problems"
    shutil.copytree(REPO / "problems" / "problem5", problems / "problem5")
    if edit is not None:
        toml = problems / "problem5" / "problem.toml"
        toml.write_text(toml.read_text().replace(edit, new))
    return problems


@pytest.mark.parametrize("edit,new,field", [
    ("format_version = 1", "format_version = 2", "format_version"),
    ('kind = "code"', 'kind = "essay"', "kind"),
    ('slug = "simple-attention"', 'slug = "Simple Attention"', "slug"),
    ('id = "problem5"', 'id = "problem6"', "id"),
    ('zh = "简单注意力机制"\n', "", "title.zh"),
    ('name = "attention"', 'name = "not an identifier"', "entry_points[0].name"),
    ("[[mistakes]]\nid = \"softmax-over-queries\"", "[[mistakes]]\nid = \"Bad Id\"", "mistakes[0].id"),
])
def test_malformed_field_is_named(tmp_path: Path, edit: str, new: str, field: str) -> None:
    catalog = Catalog.load(make_pack(tmp_path, edit, new))
    assert not catalog.problems and len(catalog.broken) == 1
    error = catalog.broken[0].error
    assert error.field == field and error.path.name == "problem.toml"


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    catalog = Catalog.load(make_pack(tmp_path, "[title]", "[title"))
    assert "not valid TOML" in str(catalog.broken[0].error)


def test_lookup_by_id_number_and_slug(catalog) -> None:
    assert catalog.get("problem5") is catalog.get("5") is catalog.get("simple-attention")
    with pytest.raises(ProblemNotFoundError) as err:
        catalog.get("simple-atention")
    assert "simple-attention" in err.value.suggestions


def test_missing_problems_folder(tmp_path: Path) -> None:
    with pytest.raises(ProblemFormatError):
        Catalog.load(tmp_path / "nowhere")
