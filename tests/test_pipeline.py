"""Ingest pipeline: incremental, atomic, and bad files never stop the run or lose work."""

from __future__ import annotations

from pathlib import Path

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


# ---------------------------------------------------------------------------------------------
# Folders: ids are corpus paths, walked recursively, streamed into the store

WET = (
    "<meta http-equiv='Content-Type' content='text/html; charset=utf-8' />\n\n"
    "##Wet van 1 maart 2014 inzake regels over de gemeentelijke verantwoordelijkheid voor preventie, "
    "ondersteuning, hulp en zorg aan jeugdigen (Testwet {n})\n\n"
    "### Hoofdstuk  1  \n\n####Begripsbepalingen\n\n### Artikel  1.1  \n\n"
    "In deze wet wordt verstaan onder jeugdhulp in regio {n}: ondersteuning van en hulp en zorg aan jeugdigen "
    "en hun ouders bij het verminderen van psychische problemen en stoornissen, en nog meer woorden erbij.\n"
)


@pytest.fixture
def folders(tmp_path) -> Settings:
    folder = tmp_path / "corpus"
    for n, sub in enumerate(("wet/a/BWBR0000001", "wet/b/BWBR0000002", "circulaire/c/BWBR0000003")):
        (folder / sub).mkdir(parents=True)
        (folder / sub / "README.md").write_text(WET.format(n=n), encoding="utf-8")
    (folder / "goed.txt").write_text(GOOD, encoding="utf-8")
    (folder / "manifest.toml").write_text(
        MANIFEST + '\n["wet/a/BWBR0000001/README.md"]\ntitle = "Testwet A"\nregion = "Landelijk"\n', encoding="utf-8"
    )
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text("x", encoding="utf-8")
    (folder / "wet" / ".DS_Store").write_bytes(b"\x00")
    (folder / "wet" / "logo.png").write_bytes(b"\x89PNG")
    (folder / "wet" / "data.json").write_text("{}", encoding="utf-8")
    return Settings(corpus_dir=folder, data_dir=tmp_path / "data")


README_IDS = ["circulaire/c/BWBR0000003/README.md", "wet/a/BWBR0000001/README.md", "wet/b/BWBR0000002/README.md"]


def test_same_file_name_in_two_folders_gives_two_documents(folders):
    report = run_ingest(folders, progress=False)
    assert sorted(report.ingested) == sorted(["goed.txt", *README_IDS])
    store = load_store(folders.store_dir)
    assert sorted(store.documents) == sorted(["goed.txt", *README_IDS])
    assert sorted(store.files) == sorted(store.documents)
    a, b = (store.documents[i] for i in README_IDS[1:])
    assert "Testwet 0" in a.text and "Testwet 1" in b.text
    chunk_ids = [c.id for c in store.all_chunks()]
    assert len(chunk_ids) == len(set(chunk_ids))
    assert {c.doc for c in store.all_chunks()} == set(store.documents)
    # the manifest is keyed by path; a README without an entry is titled by its first heading
    assert a.meta.title == "Testwet A" and a.meta.region == "Landelijk"
    assert b.meta.title.startswith("Wet van 1 maart 2014 inzake") and b.meta.region == "onbekend"
    # hidden folders/files and non-documents are counted, not read (manifest.toml is not counted)
    assert report.hidden == 2 and report.unsupported == {".json": 1, ".png": 1}
    summary = report.summary()
    assert "4 bestanden: 4 (opnieuw) ingelezen" in summary
    assert "niet ingelezen: 2 verborgen; 2 geen document (1 .json, 1 .png)" in summary


def test_markdown_passages_are_clean_and_map_back_exactly(folders):
    run_ingest(folders, progress=False)
    store = load_store(folders.store_dir)
    doc = store.documents["wet/b/BWBR0000002/README.md"]
    chunks = store.chunks["wet/b/BWBR0000002/README.md"]
    article = next(c for c in chunks if "verstaan onder jeugdhulp" in c.text)
    assert article.section == "Hoofdstuk 1 Begripsbepalingen > Artikel 1.1"
    for c in chunks:
        assert "<" not in c.text and "#" not in c.text and "meta" not in c.text
        for clean, orig, n in c.runs:
            assert c.text[clean : clean + n] == doc.text[orig : orig + n]
        s, e = c.to_original(0, len(c.text))
        assert doc.text[s:e].startswith(c.text[:10]) and doc.text[s:e].endswith(c.text[-10:])


def test_unchanged_folder_is_not_rewritten_and_one_change_reads_one_file(folders):
    run_ingest(folders, progress=False)
    manifest = folders.store_dir / "manifest.json"
    chunks_before = (folders.store_dir / "chunks.jsonl").read_bytes()
    stamp = manifest.stat().st_mtime_ns
    again = run_ingest(folders, progress=False)
    assert again.unchanged == 4 and again.ingested == [] and not again.changed
    assert manifest.stat().st_mtime_ns == stamp, "an unchanged run writes nothing"

    changed = folders.corpus_dir / "wet/b/BWBR0000002/README.md"
    changed.write_text(WET.format(n=7), encoding="utf-8")
    (folders.corpus_dir / "circulaire/c/BWBR0000003/README.md").unlink()
    third = run_ingest(folders, progress=False)
    assert third.ingested == ["wet/b/BWBR0000002/README.md"] and third.unchanged == 2
    assert third.removed == ["circulaire/c/BWBR0000003/README.md"]
    store = load_store(folders.store_dir)
    assert "Testwet 7" in store.documents["wet/b/BWBR0000002/README.md"].text
    assert "circulaire/c/BWBR0000003/README.md" not in store.documents
    kept = [line for line in chunks_before.splitlines(keepends=True) if b'"doc": "goed.txt"' in line]
    assert kept and all(line in (folders.store_dir / "chunks.jsonl").read_bytes() for line in kept)


def test_metadata_change_reingests_only_that_document(folders):
    run_ingest(folders, progress=False)
    with (folders.corpus_dir / "manifest.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n["wet/b/BWBR0000002/README.md"]\ntitle = "Testwet B"\nregion = "Landelijk"\n')
    report = run_ingest(folders, progress=False)
    assert report.ingested == ["wet/b/BWBR0000002/README.md"] and report.unchanged == 3
    assert load_store(folders.store_dir).documents["wet/b/BWBR0000002/README.md"].meta.title == "Testwet B"


def test_explicit_paths_inside_the_corpus_keep_corpus_ids_and_the_rest_of_the_store(folders):
    run_ingest(folders, progress=False)
    target = folders.corpus_dir / "wet/a/BWBR0000001/README.md"
    target.write_text(WET.format(n=9), encoding="utf-8")
    report = run_ingest(folders, [folders.corpus_dir / "wet" / "a"], progress=False)
    assert report.ingested == ["wet/a/BWBR0000001/README.md"] and report.files == 1
    store = load_store(folders.store_dir)
    assert sorted(store.documents) == sorted(["goed.txt", *README_IDS])
    assert "Testwet 9" in store.documents["wet/a/BWBR0000001/README.md"].text


def test_bad_file_in_a_folder_is_named_by_its_path(folders):
    (folders.corpus_dir / "wet" / "a" / "BWBR0000001" / "README.md").write_bytes(b"")
    report = run_ingest(folders, progress=False)
    assert [s.file for s in report.skipped] == ["wet/a/BWBR0000001/README.md"]
    assert report.skipped[0].reason.startswith("wet/a/BWBR0000001/README.md: leeg bestand")


def test_two_outside_files_with_the_same_name_are_not_merged(folders, tmp_path):
    for sub in ("x", "y"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "notitie.txt").write_text(GOOD, encoding="utf-8")
    report = run_ingest(folders, [tmp_path / "x" / "notitie.txt", tmp_path / "y" / "notitie.txt"], progress=False)
    assert report.ingested == ["notitie.txt"]
    assert len(report.skipped) == 1 and "dezelfde document-id 'notitie.txt'" in report.skipped[0].reason


def test_store_written_before_meta_hashes_is_reused_without_reading(folders):
    import json

    run_ingest(folders, progress=False)
    manifest = folders.store_dir / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    for entry in data["files"].values():
        del entry["meta_sha"]  # as the store looked before this change
    manifest.write_text(json.dumps(data), encoding="utf-8")
    chunks_before = (folders.store_dir / "chunks.jsonl").read_bytes()
    report = run_ingest(folders, progress=False)
    assert report.ingested == [] and report.unchanged == 4
    assert (folders.store_dir / "chunks.jsonl").read_bytes() == chunks_before
    assert all(e["meta_sha"] for e in json.loads(manifest.read_text(encoding="utf-8"))["files"].values())


def test_many_unlisted_files_give_one_warning(tmp_path):
    folder = tmp_path / "corpus"
    for n in range(8):
        (folder / f"map{n}").mkdir(parents=True)
        (folder / f"map{n}" / "README.md").write_text(WET.format(n=n), encoding="utf-8")
    report = run_ingest(Settings(corpus_dir=folder, data_dir=tmp_path / "data"), progress=False)
    assert len(report.ingested) == 8 and len(report.warnings) == 1
    assert report.warnings[0].startswith("8 bestanden zonder regel in manifest.toml")


def test_source_path_finds_a_document_in_a_folder(folders):
    from app.actions import source_path

    run_ingest(folders, progress=False)
    path = source_path(folders, "wet/b/BWBR0000002/README.md")
    assert path == folders.corpus_dir / "wet/b/BWBR0000002/README.md"


def test_bad_file_is_tried_again_without_rewriting_the_store_until_it_reads(folders):
    bad = folders.corpus_dir / "wet" / "a" / "BWBR0000001" / "README.md"
    bad.write_bytes(b"")
    first = run_ingest(folders, progress=False)
    manifest = folders.store_dir / "manifest.json"
    stamp = manifest.stat().st_mtime_ns
    again = run_ingest(folders, progress=False)
    assert [s.reason for s in again.skipped] == [s.reason for s in first.skipped] and len(again.skipped) == 1
    assert again.unchanged == 3 and again.ingested == [] and manifest.stat().st_mtime_ns == stamp
    bad.write_text(WET.format(n=5), encoding="utf-8")  # repaired: read again
    fixed = run_ingest(folders, progress=False)
    assert fixed.ingested == ["wet/a/BWBR0000001/README.md"] and not fixed.skipped


def test_worker_processes_write_the_same_store_as_one_process(tmp_path, monkeypatch):
    from concurrent.futures import ProcessPoolExecutor
    from dataclasses import replace

    import ingest.pipeline

    pools: list[int] = []

    class CountedPool(ProcessPoolExecutor):  # the real pool, counted
        def __init__(self, workers, **kwargs):
            pools.append(workers)
            super().__init__(workers, **kwargs)

    monkeypatch.setattr(ingest.pipeline, "ProcessPoolExecutor", CountedPool)

    folder = tmp_path / "corpus"
    for n in range(20):
        (folder / f"map{n:02d}").mkdir(parents=True)
        (folder / f"map{n:02d}" / "README.md").write_text(WET.format(n=n), encoding="utf-8")
    (folder / "map03" / "README.md").write_bytes(b"")  # a failure in the middle keeps the order
    one = Settings(corpus_dir=folder, data_dir=tmp_path / "one", ingest_workers=1)
    two = replace(one, data_dir=tmp_path / "two", ingest_workers=2)
    serial, parallel = run_ingest(one, progress=False), run_ingest(two, progress=False)
    assert pools == [2], "the second run read in two worker processes"
    assert parallel.ingested == serial.ingested and len(parallel.ingested) == 19
    assert [s.file for s in parallel.skipped] == ["map03/README.md"]
    for name in ("documents.jsonl", "chunks.jsonl"):
        assert (two.store_dir / name).read_bytes() == (one.store_dir / name).read_bytes()


def test_the_chunker_fingerprint_covers_every_module_that_reads_or_cuts_text() -> None:
    """A change to the PDF reader must re-read stored PDFs, as a change to the chunker does."""
    from ingest import pipeline

    here = Path(pipeline.__file__).parent
    bookkeeping = {"__init__.py", "pipeline.py", "store.py", "manifest.py"}
    assert {p.name for p in here.glob("*.py")} - bookkeeping == set(pipeline.CHUNKER_FILES)
