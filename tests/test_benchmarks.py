"""Smoke tests of the benchmark's pure helpers (no model, no index): python -m benchmarks.run is run by hand."""

import numpy as np
import pytest

from benchmarks.bench_cold import top_imports
from benchmarks.bench_scale import _round_nice, recall
from benchmarks.common import Report, pct, render_table
from benchmarks.run import scale_sizes
from benchmarks.vectors import corpus_sentences, random_windows, synth_database


def test_pct_interpolates():
    assert pct([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert pct([5.0], 95) == 5.0
    assert pct([3.0, 1.0, 2.0], 100) == 3.0


def test_scale_sizes():
    assert scale_sizes(10_000) == [10_000]
    assert scale_sizes(1_000_000) == [10_000, 30_000, 100_000, 300_000, 1_000_000]


def test_recall():
    truth = np.array([[1, 2, 3, 4]])
    assert recall(np.array([[4, 3, 9, 8]]), truth, 4) == 0.5
    assert recall(np.array([[1, 9, 9, 9]]), truth, 2) == 0.5


def test_round_nice():
    assert _round_nice(96_000) == 95_000
    assert _round_nice(73_000) == 75_000
    assert _round_nice(0) == 0


def test_synth_database_unit_norm_and_deterministic():
    base = np.eye(8, dtype=np.float32)
    a = synth_database(base, 100, block=32)
    b = synth_database(base, 100, block=32)
    assert a.shape == (100, 8) and a.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(a, b)


def test_corpus_sentences_and_windows():
    text = (
        "Kort. Dit is een zin met genoeg woorden om mee te tellen. "
        "[bookmark: _b1]Nog een zin die lang genoeg is hier.\n"
    )
    sents = corpus_sentences([text])
    assert sents == ["Dit is een zin met genoeg woorden om mee te tellen.", "Nog een zin die lang genoeg is hier."]
    words = text.split()
    windows = random_windows(words, 3, size=4, seed=1)
    assert len(windows) == 3 and all(len(w.split()) == 4 for w in windows)


def test_top_imports_keeps_top_level_only():
    stderr = (
        "import time: self [us] | cumulative | imported package\n"
        "import time:       100 |       5000 |   numpy.core\n"
        "import time:       200 |      90000 | bm25s\n"
        "import time:       300 |      20000 | faiss\n"
    )
    assert top_imports(stderr) == [("bm25s", 0.09), ("faiss", 0.02)]


def test_render_table_escapes_pipes():
    report = Report()
    report.add("s", "a|b", "1 ms", "<= 2 ms", "cmd | other")
    table = render_table(report, "# h")
    assert "| s | a\\|b | 1 ms | <= 2 ms | cmd \\| other |" in table


@pytest.mark.slow
def test_query_step_split_follows_the_retriever(tmp_path_factory):
    """The step timer follows the retriever's stage names: a renamed stage must fail here, not in a
    benchmark run by hand."""
    from app_fixtures import real_index

    from beleidszoeker.config import Settings
    from benchmarks.bench_query import step_split
    from index.retriever import HybridRetriever

    data = real_index(tmp_path_factory)
    retriever = HybridRetriever.load(Settings(corpus_dir=data.corpus, data_dir=data.data))
    report = Report()
    step_split(report, retriever, ["Hoeveel gemeenten werken samen?", "wachtlijsten in Drenthe"], "test", lambda: None)
    names = [f.name for f in report.figures]
    assert names[0] == "warm query end to end, test" and "ms" in report.figures[0].value
    split = report.figures[1].value
    assert "BM25" in split and "FAISS" in split and "answer extraction" in split


def test_big_folder_subset_is_deterministic_and_the_run_reports_both_passes(tmp_path):
    from benchmarks.bench_ingest import bench_big_folder, subset_folder

    folder = tmp_path / "wetgeving"
    text = "## Testwet\n\n### Artikel 1\n\nDe gemeente biedt jeugdhulp aan jeugdigen en hun ouders in de regio.\n"
    for name in ("c", "a", "b"):
        (folder / name / "BWBR0000001").mkdir(parents=True)
        (folder / name / "BWBR0000001" / "README.md").write_text(text, encoding="utf-8")
    corpus, n = subset_folder(folder, 2, tmp_path / "subset")
    assert n == 2 and sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("README.md")) == [
        "a/BWBR0000001/README.md",
        "b/BWBR0000001/README.md",
    ]
    report = Report()
    bench_big_folder(report, folder, None)
    fresh, rerun = report.figures
    assert "3 documents, 3 read" in fresh.value and "peak RSS" in fresh.value
    assert "3 documents, 0 read" in rerun.value


def test_perturbed_copy_moves_every_vector_to_the_asked_cosine(tmp_path):
    """bench_embed --perturb: each vector lands at cosine 1 - x of its original, the FAISS index
    holds the moved vectors, and the original data dir is untouched."""
    import json

    import numpy as np

    from benchmarks.bench_embed import perturb
    from index.vector import VectorIndex

    rng = np.random.default_rng(3)
    data = tmp_path / "data"
    (data / "index").mkdir(parents=True)
    (data / "store").mkdir()
    unit = lambda v: (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)  # noqa: E731
    passages, units = unit(rng.standard_normal((40, 384))), unit(rng.standard_normal((90, 384)))
    np.save(data / "index" / "embeddings.npy", passages)
    np.save(data / "index" / "unit_embeddings.npy", units)
    (data / "index" / "manifest.json").write_text(json.dumps({"vector_index": "flat"}))
    perturb(data, 1e-4, 0, tmp_path / "out")
    moved = np.load(tmp_path / "out" / "index" / "embeddings.npy")
    for new, old in ((moved, passages), (np.load(tmp_path / "out" / "index" / "unit_embeddings.npy"), units)):
        cos = np.sum(new * old, axis=1)
        assert np.allclose(cos, 1 - 1e-4, atol=2e-6)
    assert np.array_equal(np.load(data / "index" / "embeddings.npy"), passages)
    found = VectorIndex.load(tmp_path / "out" / "index" / "vectors.faiss", "flat")
    rows, scores = found.search(moved[5], 1)
    assert rows[0] == 5 and scores[0] == pytest.approx(1.0, abs=1e-5)
