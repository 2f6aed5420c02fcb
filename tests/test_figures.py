"""Expected figures as data: eval/expected.toml is what a fresh evaluation gives (slow), and the
README's current-figures table is generated from it (fast)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import readme_figures as rf


def test_the_readme_table_is_generated_from_the_expected_figures():
    readme = rf.README.read_text(encoding="utf-8")
    assert rf.readme_with(readme, rf.table(rf.load_expected())) == readme, (
        "README.md's figures table differs from eval/expected.toml: run scripts/readme_figures.py --write"
    )


def test_the_readme_answer_figures_are_generated_from_eval_answers_toml():
    readme = rf.README.read_text(encoding="utf-8")
    assert rf.ANSWERS_START in readme and rf.ANSWERS.exists()
    assert rf.readme_wanted(readme) == readme, "README.md differs: run scripts/readme_figures.py --write"
    answers = rf.tomllib.loads(rf.ANSWERS.read_text(encoding="utf-8"))
    assert {key for key, _, _ in rf.gold_files()} <= set(answers["held_out"])
    assert "| confidence | n | predicted | observed right |" in rf.answers_table(answers)


def test_every_gold_file_has_expected_figures():
    expected = rf.load_expected()
    assert {key for key, _, _ in rf.gold_files()} | {"pooled"} == set(expected["files"])
    assert 0 < expected["tolerance"] <= 0.02


def test_the_table_leaves_a_cell_blank_where_a_file_has_no_such_questions():
    expected = {"files": {"x": {"label": "x", "advisor.r1": 0.5}}}
    row = rf.table(expected).splitlines()[-1]
    assert row.startswith("| x | 0.50 |") and row.count("|") == len(rf.COLUMNS) + 2


@pytest.mark.slow
@pytest.mark.skipif(
    not all(path.exists() for _, path, _ in rf.gold_files()),
    reason="a gold file is missing (the shared dev set is read from ../shared or BELEIDSZOEKER_SHARED)",
)
def test_a_fresh_evaluation_gives_the_expected_figures(tmp_path_factory):
    from app_fixtures import real_index

    from beleidszoeker.config import Settings
    from index.search.params import default_params

    expected = rf.load_expected()
    assert expected["params_hash"] == default_params().hash, (
        "index/search/params.toml changed since eval/expected.toml was measured: "
        "run scripts/readme_figures.py --measure --save, then --write"
    )
    data = real_index(tmp_path_factory)  # the shipped corpus, ingested and indexed afresh
    measured = rf.measure(Settings(corpus_dir=data.corpus, data_dir=data.data))["files"]
    tolerance = expected["tolerance"]
    off = []
    for key, figures in expected["files"].items():
        for name, want in figures.items():
            if name == "label":
                continue
            got = measured.get(key, {}).get(name)
            if got is None or abs(got - want) > tolerance:
                off.append(f"{key} {name}: {got} (expected {want})")
    assert not off, "\n".join(off)
