"""Against a real Qdrant server: runs only when BELEIDSZOEKER_QDRANT_URL names one (http[s]://...), with
BELEIDSZOEKER_QDRANT_API_KEY if it needs a key. Writes a throw-away collection and deletes it again."""

from __future__ import annotations

import os
import uuid

import pytest
from backend_fixtures import assert_same_candidates, by_id, fake_index, gold_queries, shipped_store
from search_fakes import embed

from beleidszoeker.config import Settings
from index.backends.base import Filters
from index.backends.embedded import EmbeddedBackend

URL = os.environ.get("BELEIDSZOEKER_QDRANT_URL", "")
pytestmark = pytest.mark.skipif(
    not URL.startswith(("http://", "https://")),
    reason="geen Qdrant-server: zet BELEIDSZOEKER_QDRANT_URL=http(s)://host:6333 (en zo nodig "
    "BELEIDSZOEKER_QDRANT_API_KEY) om de backend tegen een echte server te testen",
)


def test_a_real_server_gives_the_embedded_candidates(tmp_path):
    from index.backends.qdrant import client_for
    from index.backends.qdrant_build import copy_index

    index = fake_index(shipped_store(tmp_path))
    name = f"beleidszoeker-test-{uuid.uuid4().hex[:8]}"
    client = client_for(Settings(qdrant_url=URL, qdrant_api_key=os.environ.get("BELEIDSZOEKER_QDRANT_API_KEY", "")))
    try:
        qdrant = copy_index(index, client, name)
        embedded = EmbeddedBackend(index)
        for f in (Filters(), Filters(regions=("Twente",))):
            for q in gold_queries(20):
                a = by_id(embedded.view, embedded.candidates(embed(q), q, f, 30))
                b = by_id(qdrant.view, qdrant.candidates(embed(q), q, f, 30))
                assert_same_candidates(a, b, 30)
    finally:
        for n in (name, f"{name}-docs"):
            if client.collection_exists(n):
                client.delete_collection(n)
