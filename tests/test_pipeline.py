"""Ingest pipeline: incremental, atomic, and bad files never stop the run or lose work."""

from __future__ import annotations

import pytest

from beleidszoeker import cli
from beleidszoeker.config import Settings
from ingest.pipeline import run_ingest
from ingest.store import load_store

GOOD = (
    "Regiovisie Testland\n\nInleiding\n\nDe gemeenten in Testland werken samen aan goede jeugdhulp dichtbij huis. "
    "Zij willen dat kinderen veilig opgroeien en dat ouders snel de juiste hulp krijgen.\n"
)
MANIFEST = '["goed.txt"]\ntitle = "Regiovisie Testland"\nregion = "Testland"\nyear = 2024\n'


@pytest.fixture
def corpus(tmp_path) -> Settings:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "goed.txt").write_text(GOOD, encoding="utf-8")
    (folder / "manifest.toml").write_text(MANIFEST, encoding="utf-8")
    return Settings(corpus_dir=folder, data_dir=tmp_path / "data")


def test_bad_files_are_skipped_with_reasons_and_the_rest_ingests(corpus):
    (corpus.corpus_dir / "kapot.pdf").write_bytes(b"%PDF-1.4 dit is geen echte pdf")
    (corpus.corpus_dir / "leeg.txt").write_bytes(b"")
    (corpus.corpus_dir / "zonder_regel_2023.txt").write_text(GOOD, encoding="utf-8")
    report = run_ingest(corpus, progress=False)
    reasons = {s.file: s.reason for s in report.skipped}
    assert set(reasons) == {"kapot.pdf", "leeg.txt"}
    assert reasons["kapot.pdf"].startswith("kapot.pdf:") and "leeg" in reasons["leeg.txt"]
    assert sorted(report.ingested) == ["goed.txt", "zonder_regel_2023.txt"]
    assert any("zonder_regel_2023.txt" in w and "manifest.toml" in w for w in report.warnings)
    store = load_store(corpus.store_dir)
    assert store.documents["zonder_regel_2023.txt"].meta.year == 2023
    assert store.documents["goed.txt"].meta.region == "Testland"


def test_second_run_does_no_work_and_a_broken_update_keeps_the_last_good_version(corpus):
    run_ingest(corpus, progress=False)
    before = (corpus.store_dir / "chunks.jsonl").read_bytes()
    again = run_ingest(corpus, progress=False)
    assert again.ingested == [] and again.unchanged == 1 and not again.changed
    assert (corpus.store_dir / "chunks.jsonl").read_bytes() == before

    (corpus.corpus_dir / "goed.txt").write_bytes(b"\x00\x01\x02\xff\xfe" * 200)  # now unreadable
    broken = run_ingest(corpus, progress=False)
    assert [s.file for s in broken.skipped] == ["goed.txt"]
    assert load_store(corpus.store_dir).chunks["goed.txt"], "the last good chunks are kept"


def test_too_large_file_is_refused_before_reading(corpus, tmp_path):
    small = Settings(corpus_dir=corpus.corpus_dir, data_dir=tmp_path / "d2", max_file_mb=0.0001)
    report = run_ingest(small, progress=False)
    assert [s.file for s in report.skipped] == ["goed.txt"] and "limiet" in report.skipped[0].reason


def test_cli_ingest_exit_code_says_something_was_skipped(corpus, monkeypatch, capsys):
    monkeypatch.setenv("BELEIDSZOEKER_CORPUS", str(corpus.corpus_dir))
    monkeypatch.setenv("BELEIDSZOEKER_DATA", str(corpus.data_dir))
    assert cli.main(["ingest", "-q"]) == cli.EXIT_OK
    (corpus.corpus_dir / "kapot.pdf").write_bytes(b"geen pdf")
    assert cli.main(["ingest", "-q"]) == cli.EXIT_SKIPPED
    out = capsys.readouterr().out
    assert "overgeslagen: kapot.pdf:" in out and "1 overgeslagen" in out


def test_cli_without_index_says_what_to_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BELEIDSZOEKER_DATA", str(tmp_path / "leeg"))
    assert cli.main(["search", "wachtlijsten"]) == cli.EXIT_ERROR
    assert cli.main(["index"]) == cli.EXIT_ERROR
    err = capsys.readouterr().err
    assert "beleidszoeker ingest && beleidszoeker index" in err and "beleidszoeker ingest" in err
