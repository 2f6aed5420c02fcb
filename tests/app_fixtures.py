"""Shared helpers for the app tests: real indexes built once per test session in temporary folders.

Not a conftest: the test modules import these helpers and wrap them in their own fixtures.
Each build is cached per process, so the real corpus is ingested and embedded only once even
when several test modules use it.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"

XSS_TEXT = """Jeugdhulp en veiligheid in de regio Testland

Inleiding

De regio Testland wil dat jeugdigen snel de juiste jeugdhulp krijgen. <script>alert(1)</script> De wachttijd
voor specialistische jeugdhulp is in Testland maximaal zes weken. <img src=x onerror=alert(1)> Daarom werken
de gemeenten samen met het onderwijs.

Markdown

Een **vette** [link](javascript:alert(1)) en ![plaatje](https://example.invalid/x.png) en :red[rood] en $x^2$
en een <a href="javascript:alert(2)">klik</a> moeten als gewone tekst verschijnen.

Toegang

De toegang tot jeugdhulp loopt via het lokale team van de gemeente. Ouders kunnen ook rechtstreeks contact
opnemen met de huisarts of de praktijkondersteuner jeugd. Het lokale team bepaalt samen met het gezin welke
hulp nodig is en zorgt dat de hulp dicht bij huis wordt geboden.
"""

XSS_MANIFEST = """["testland.txt"]
title = "Regiovisie Testland <b>vet</b>"
region = "Testland"
year = 2024
"""


@dataclass(frozen=True)
class DataDir:
    corpus: Path
    data: Path

    def env(self) -> dict[str, str]:
        return {"BELEIDSZOEKER_CORPUS": str(self.corpus), "BELEIDSZOEKER_DATA": str(self.data)}

    def apply(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for k, v in self.env().items():
            monkeypatch.setenv(k, v)


_BUILT: dict[str, DataDir] = {}


def _build(corpus: Path, data: Path) -> DataDir:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from beleidszoeker.config import Settings
    from index.build import build_index
    from ingest.pipeline import run_ingest

    settings = Settings(corpus_dir=corpus, data_dir=data)
    seed = os.environ.get("BELEIDSZOEKER_TEST_SEED_INDEX")
    if seed and Path(seed, "manifest.json").exists() and not settings.index_dir.exists():
        # Developer speed-up (opt-in): start from an existing index so unchanged passages are not embedded
        # again; build_index still checks the corpus fingerprint and model and rebuilds what differs.
        shutil.copytree(seed, settings.index_dir)
    report = run_ingest(settings, progress=False)
    assert not report.skipped, report.summary()
    build_index(settings, progress=False)
    return DataDir(corpus, data)


def real_index(tmp_path_factory: pytest.TempPathFactory) -> DataDir:
    """A copy of the shipped corpus, ingested and indexed with the real model (once per process)."""
    if "real" not in _BUILT:
        base = tmp_path_factory.mktemp("appdata-real")
        corpus = base / "corpus"
        shutil.copytree(CORPUS, corpus)
        _BUILT["real"] = _build(corpus, base / "data")
    return _BUILT["real"]


def xss_index(tmp_path_factory: pytest.TempPathFactory) -> DataDir:
    """A one-document corpus whose text and title carry HTML/Markdown injection attempts."""
    if "xss" not in _BUILT:
        base = tmp_path_factory.mktemp("appdata-xss")
        corpus = base / "corpus"
        corpus.mkdir()
        (corpus / "testland.txt").write_text(XSS_TEXT, encoding="utf-8")
        (corpus / "manifest.toml").write_text(XSS_MANIFEST, encoding="utf-8")
        _BUILT["xss"] = _build(corpus, base / "data")
    return _BUILT["xss"]


def make_pdf(pages: list[list[str]]) -> bytes:
    """A small real PDF (reportlab), one page per list of lines."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for lines in pages:
        y = A4[1] - 72
        c.setFont("Helvetica", 11)
        for line in lines:
            c.drawString(72, y, line)
            y -= 16
        c.showPage()
    c.save()
    return buf.getvalue()


ZEELAND_PDF_PAGES = [
    ["Pleegzorgplan Jeugd Zeeland 2024", "", "Inleiding", "",
     "Dit plan beschrijft hoe de Zeeuwse gemeenten de komende jaren werken aan de jeugdhulp.",
     "Het plan is opgesteld samen met aanbieders, scholen en ouders."],
    ["Pleegzorg en gezinshuizen", "",
     "De Zeeuwse gemeenten willen in 2026 veertig extra pleeggezinnen werven.",
     "Kinderen die niet thuis kunnen wonen, groeien zo veel mogelijk op in een gezin.",
     "Gezinshuizen krijgen daarom een vaste plek in het aanbod van de regio."],
]


def fresh_copy(src: DataDir, dest: Path) -> DataDir:
    """A private copy of a built corpus + data folder, for tests that add documents."""
    shutil.copytree(src.corpus, dest / "corpus")
    shutil.copytree(src.data, dest / "data")
    return DataDir(dest / "corpus", dest / "data")
