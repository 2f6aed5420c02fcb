"""Lay out the evaluation corpus for eval/pdfs/: the shipped corpus plus real PDFs that may not be committed.

    python scripts/pdf_eval_corpus.py ../shared/pdfs /tmp/pdfeval/corpus
    export BELEIDSZOEKER_CORPUS=/tmp/pdfeval/corpus BELEIDSZOEKER_DATA=/tmp/pdfeval/data
    beleidszoeker ingest && beleidszoeker index && beleidszoeker eval eval/pdfs/blind_pdfs.jsonl

The PDFs' metadata comes from eval/pdfs/manifest.toml; the shipped corpus/ is copied unchanged.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(pdf_dir: Path, target: Path) -> int:
    pdfs = sorted(pdf_dir.glob("*.pdf"))
    if not pdfs:
        print(f"Geen PDF-bestanden gevonden in {pdf_dir}.", file=sys.stderr)
        return 1
    target.mkdir(parents=True, exist_ok=True)
    for src in (ROOT / "corpus").iterdir():
        if src.is_file() and src.name != "manifest.toml":
            shutil.copy2(src, target / src.name)
    for pdf in pdfs:
        shutil.copy2(pdf, target / pdf.name)
    manifest = (ROOT / "corpus" / "manifest.toml").read_text(encoding="utf-8")
    extra = (ROOT / "eval" / "pdfs" / "manifest.toml").read_text(encoding="utf-8")
    (target / "manifest.toml").write_text(manifest.rstrip() + "\n\n" + extra, encoding="utf-8")
    print(f"{target}: gedeelde corpus plus {len(pdfs)} PDF-bestanden")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
