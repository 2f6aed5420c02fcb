"""The Documenten page's actions on a Qdrant deployment: add, edit, replace and remove write the one changed
document into the collection (qdrant-client's local mode on disk, the shipped corpus copied in with the fake
embedder's vectors, as tests/test_backends.py makes it), never a local index; a failed write puts the collection
back, or says what to run; and every write gives the collection a new version stamp that other replicas read.
The app page itself on Qdrant: tests/test_app.py."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from backend_fixtures import fake_index, shipped_store
from search_fakes import DIM, FakeEmbedder, embed

from app.actions import DocEdit, NewDocument, add_document, read_log, remove_document, replace_document, update_document
from app.freshness import Reloading, TimedValue
from beleidszoeker.config import Settings
from index.backends.base import Filters

pytest.importorskip("qdrant_client", reason="qdrant-client is a dependency (pyproject); run scripts/setup")

from qdrant_client import QdrantClient, models

from index.backends.qdrant import GENERATION_ID, QdrantBackend, point_id
from index.backends.qdrant_build import copy_index, index_into_qdrant
from index.retriever import HybridRetriever

NAME = "beheer"
ZEELAND = ("Pleegzorg in Zeeland\n\nGezinshuizen\n\nDe Zeeuwse gemeenten werven veertig extra pleeggezinnen en openen "
           "twee gezinshuizen, zodat kinderen die niet thuis kunnen wonen in een gezin opgroeien.\n")
REPLACED = ("Nieuwe versie\n\nSpeelruimte\n\nDe gemeente legt drie speeltuinen met waterpompen aan, zodat alle "
            "kinderen dicht bij huis buiten kunnen spelen.\n")
DOC = "003_4f7ac4d2be3ad9cf.txt"


class CountingEmbedder(FakeEmbedder):
    """The fake embedder as the index writer uses it (passages in bulk), counting what it embeds."""

    dim = DIM

    def __init__(self) -> None:
        self.embedded = 0

    def embed_passages(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        self.embedded += len(texts)
        return np.stack([embed(t) for t in texts]) if texts else np.empty((0, DIM), dtype=np.float32)


@dataclass
class Deployment:
    settings: Settings
    client: QdrantClient
    backend: QdrantBackend  # the app's own backend: admin writes go through its client
    embedder: CountingEmbedder


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """The shipped corpus ingested, and its passages copied into a collection on disk (once per module)."""
    base = tmp_path_factory.mktemp("qdrant-admin")
    settings = shipped_store(base)
    client = QdrantClient(path=str(base / "qdrant"))
    copy_index(fake_index(settings), client, NAME)
    client.close()
    assert not (settings.data_dir / "index").exists()
    return base


@pytest.fixture
def deployed(template, tmp_path) -> Iterator[Deployment]:
    base = tmp_path / "deployment"
    shutil.copytree(template, base)
    settings = Settings(corpus_dir=base / "corpus", data_dir=base / "data", qdrant_url=f"local:{base / 'qdrant'}",
                        qdrant_collection=NAME)
    client = QdrantClient(path=str(base / "qdrant"))
    yield Deployment(settings, client, QdrantBackend(client, NAME), CountingEmbedder())
    client.close()


def assert_no_local_index(settings: Settings) -> None:
    made = [p.name for p in settings.data_dir.iterdir() if "index" in p.name]
    assert made == [], f"a Qdrant deployment made a local index: {made}"


def passages_of(backend: QdrantBackend, doc: str) -> list[str]:
    """The chunk ids the collection holds for `doc`, read by filter (not through the document's record)."""
    stored = backend.stored(doc)
    return [p.chunk.id for p in stored[1]] if stored else []


def points_left(d: Deployment, chunk_ids: list[str]) -> list[int]:
    return [int(p.id) for p in d.client.retrieve(NAME, [point_id(c) for c in chunk_ids])]


def top_docs(backend: QdrantBackend, query: str, k: int = 3) -> list[str]:
    return [h.chunk.doc for h in HybridRetriever(backend, FakeEmbedder()).search(query, k=k).hits]


def snapshot(backend: QdrantBackend, doc: str) -> tuple:
    """What the collection holds for `doc`: metadata, text, passages with their vectors and units."""
    stored = backend.stored(doc)
    if stored is None:
        return ()
    document, passages = stored
    return (document, [(p.chunk, p.vector.tolist(), p.units, p.unit_vectors.tolist()) for p in passages])


# ---- the four actions -----------------------------------------------------------------------------


def test_add_writes_the_new_document_into_the_collection_and_no_local_index(deployed):
    d = deployed
    stamp, passages = d.backend.generation(), d.backend.view.lexical.n
    new = NewDocument("zeeland.txt", ZEELAND.encode(), "Pleegzorgplan Zeeland", "Zeeland", 2024)
    result = add_document(new, d.settings, embedder=d.embedder, user="test", backend=d.backend)
    assert result.ok, result.errors
    assert result.chunks == len(passages_of(d.backend, "zeeland.txt")) >= 1
    assert f"Qdrant-collectie {NAME!r}" in result.summary
    assert d.embedder.embedded > 0 and d.backend.generation() != stamp
    assert top_docs(d.backend, "Hoeveel pleeggezinnen en gezinshuizen komen er in Zeeland?")[0] == "zeeland.txt"
    assert d.backend.view.lexical.n == passages + result.chunks
    assert d.backend.view.documents["zeeland.txt"].meta.region == "Zeeland"
    assert (d.settings.corpus_dir / "zeeland.txt").read_text() == ZEELAND
    assert '["zeeland.txt"]' in d.settings.manifest_path.read_text()
    assert_no_local_index(d.settings)
    assert [(e["actie"], e["document"], e["gelukt"]) for e in read_log(d.settings)] == [
        ("toevoegen", "zeeland.txt", True)]


def test_edit_metadata_rewrites_the_payload_and_the_region_filter_without_embedding(deployed):
    d = deployed
    old = d.backend.view.documents[DOC].meta
    ids = passages_of(d.backend, DOC)
    edit = DocEdit(old.title, "Nieuwland", old.year, aliases=("Nieuwe Regio",))
    result = update_document(DOC, edit, d.settings, embedder=d.embedder, user="test", backend=d.backend)
    assert result.ok, result.errors
    assert d.embedder.embedded == 0  # same title, same passages: the stored vectors are written back
    meta = d.backend.view.documents[DOC].meta
    assert (meta.region, meta.aliases) == ("Nieuwland", ("Nieuwe Regio",))
    for region, expected in (("Nieuwland", set(ids)), (old.region, set())):
        found = d.backend.candidates(embed("jeugdhulp"), "jeugdhulp", Filters(regions=(region,)), 1000)
        assert {d.backend.view.chunks[int(r)].id for r in found.rows} & set(ids) == expected, region
    assert passages_of(d.backend, DOC) == ids
    assert_no_local_index(d.settings)


def test_replace_makes_the_new_text_searchable_and_the_old_text_gone(deployed):
    d = deployed
    old_ids = passages_of(d.backend, DOC)
    result = replace_document(DOC, "nieuw.txt", REPLACED.encode(), d.settings, embedder=d.embedder, user="test",
                              backend=d.backend)
    assert result.ok, result.errors
    new_ids = passages_of(d.backend, DOC)
    assert new_ids and not set(new_ids) & set(old_ids) and points_left(d, old_ids) == []
    assert "speeltuinen met waterpompen" in d.backend.view.documents[DOC].text
    assert top_docs(d.backend, "Waar komen speeltuinen met waterpompen?", k=1) == [DOC]
    assert_no_local_index(d.settings)


def test_remove_deletes_the_passages_and_the_document_record(deployed):
    d = deployed
    ids, passages = passages_of(d.backend, DOC), d.backend.view.lexical.n
    result = remove_document(DOC, d.settings, embedder=d.embedder, user="test", backend=d.backend)
    assert result.ok, result.errors
    assert "verwijderd" in result.summary
    assert points_left(d, ids) == [] and d.client.retrieve(f"{NAME}-docs", [point_id(DOC)]) == []
    assert DOC not in d.backend.view.documents and d.backend.view.lexical.n == passages - len(ids)
    assert DOC not in top_docs(d.backend, "jeugdhulp", k=10)
    assert not (d.settings.corpus_dir / DOC).exists()
    assert_no_local_index(d.settings)


# ---- failures: nothing lost ----------------------------------------------------------------------


class FailsHalfway(QdrantBackend):
    """The connection drops once while a document is written, after its old passages were deleted: local mode has
    no network to cut, so the failure is raised at that moment; everything before and after is the real engine."""

    armed = True

    def _delete_passages(self, doc: str) -> None:
        super()._delete_passages(doc)
        if self.armed:
            self.armed = False
            raise ConnectionError("verbinding met de server verbroken")


class ServerGoneHalfway(QdrantBackend):
    """The server becomes unreachable half-way (after the old passages were deleted) and stays so: the client is
    closed at that moment, so every later request, the undo included, fails for real."""

    def _delete_passages(self, doc: str) -> None:
        super()._delete_passages(doc)
        self.client.close()


def files_and_store(settings: Settings) -> tuple[bytes, bytes, str]:
    from ingest.store import load_store

    store = load_store(settings.store_dir)
    return ((settings.corpus_dir / DOC).read_bytes(), settings.manifest_path.read_bytes(),
            repr(store.documents[DOC].meta) + store.documents[DOC].text[:200])


def test_a_corrupt_replacement_leaves_file_store_and_collection_unchanged(deployed):
    d = deployed
    before, stamp, local = snapshot(d.backend, DOC), d.backend.generation(), files_and_store(d.settings)
    result = replace_document(DOC, "kapot.txt", b"\x00\x01\x02" * 10, d.settings, embedder=d.embedder,
                              backend=d.backend)
    assert not result.ok and result.errors
    assert snapshot(d.backend, DOC) == before and d.backend.generation() == stamp
    assert files_and_store(d.settings) == local


def test_a_write_that_fails_halfway_puts_the_collection_back(deployed):
    d = deployed
    backend = FailsHalfway(d.client, NAME)
    before, local = snapshot(backend, DOC), files_and_store(d.settings)
    result = replace_document(DOC, "nieuw.txt", REPLACED.encode(), d.settings, embedder=d.embedder, backend=backend)
    assert not result.ok
    assert "verbinding met de server verbroken" in result.errors[0] and "er is niets gewijzigd" in result.errors[0]
    assert snapshot(backend, DOC) == before
    assert files_and_store(d.settings) == local
    assert top_docs(backend, "Waar komen speeltuinen met waterpompen?", k=1) != [DOC]
    backend.armed = True
    added = add_document(NewDocument("zeeland.txt", ZEELAND.encode(), "Plan Zeeland", "Zeeland", 2024), d.settings,
                         embedder=d.embedder, backend=backend)
    assert not added.ok and backend.stored("zeeland.txt") is None  # a new document leaves no record, no passage
    assert not (d.settings.corpus_dir / "zeeland.txt").exists()
    assert_no_local_index(d.settings)


def test_when_even_the_undo_fails_the_message_says_what_to_run_and_index_repairs_it(deployed):
    d = deployed
    keys = d.backend.document_keys()
    ids, local = passages_of(d.backend, DOC), files_and_store(d.settings)
    gone = ServerGoneHalfway(d.client, NAME)
    edit = DocEdit("Andere titel", "Andere regio", 2020)
    result = update_document(DOC, edit, d.settings, embedder=d.embedder, backend=gone)
    assert not result.ok
    message = result.errors[0]
    assert "kon niet worden hersteld" in message and "`beleidszoeker index`" in message and DOC in message
    assert files_and_store(d.settings) == local  # the corpus folder and store are back as they were
    # Half-written: the old passages are gone, and the record no longer claims the old content, so `index`
    # (here with the server back: a new client) writes the document again instead of skipping it.
    client = QdrantClient(path=d.settings.qdrant_url.removeprefix("local:"))
    backend = QdrantBackend(client, NAME)
    assert passages_of(backend, DOC) == [] and backend.document_keys()[DOC] == ""
    stamp = backend.generation()
    client.close()
    report = index_into_qdrant(d.settings, embedder=d.embedder, progress=False)
    assert (report.written, report.deleted) == (1, 0)
    client = QdrantClient(path=d.settings.qdrant_url.removeprefix("local:"))
    backend = QdrantBackend(client, NAME)
    assert passages_of(backend, DOC) == ids and backend.document_keys() == keys
    assert backend.generation() != stamp  # an index worker's write changes the stamp too
    client.close()
    assert_no_local_index(d.settings)


def test_an_unreachable_server_changes_nothing(deployed):
    d = deployed
    away = Settings(corpus_dir=d.settings.corpus_dir, data_dir=d.settings.data_dir, qdrant_url="http://127.0.0.1:9",
                    qdrant_collection=NAME)
    manifest = away.manifest_path.read_bytes()
    result = add_document(NewDocument("zeeland.txt", ZEELAND.encode(), "Plan Zeeland", "Zeeland", 2024), away,
                          embedder=d.embedder)
    assert not result.ok and "niet bereikbaar" in result.errors[0] and "niets gewijzigd" in result.errors[0]
    assert not (away.corpus_dir / "zeeland.txt").exists() and away.manifest_path.read_bytes() == manifest
    assert read_log(away)[-1]["gelukt"] is False


def test_a_collection_of_another_model_is_not_written(deployed):
    d = deployed

    class OtherModel(CountingEmbedder):
        model_id = "intfloat/multilingual-e5-base"

    before = snapshot(d.backend, DOC)
    result = update_document(DOC, DocEdit("Titel", "Regio", 2024), d.settings, embedder=OtherModel(),
                             backend=d.backend)
    assert not result.ok and "gebouwd met model" in result.errors[0] and "niets gewijzigd" in result.errors[0]
    assert snapshot(d.backend, DOC) == before


# ---- freshness: the version stamp -----------------------------------------------------------------


def test_another_replica_sees_the_change_once_its_stamp_changes(deployed):
    d = deployed
    replica = QdrantBackend(d.client, NAME)  # another app server: its own view of the collection
    now = [0.0]
    stamp = TimedValue(replica.generation, ttl=5, clock=lambda: now[0])
    first = stamp.get()
    assert "zeeland.txt" not in replica.view.documents
    new = NewDocument("zeeland.txt", ZEELAND.encode(), "Pleegzorgplan Zeeland", "Zeeland", 2024)
    assert add_document(new, d.settings, embedder=d.embedder, backend=d.backend).ok
    now[0] = 4.9
    assert stamp.get() == first  # within the TTL the replica trusts its stamp (no round trip)...
    assert "zeeland.txt" not in replica.view.documents  # ...and serves what it loaded
    now[0] = 5.0
    assert stamp.get() != first
    replica.refresh()
    assert "zeeland.txt" in replica.view.documents
    assert top_docs(replica, "Hoeveel pleeggezinnen en gezinshuizen komen er in Zeeland?")[0] == "zeeland.txt"


def test_a_collection_without_a_stamp_still_works_until_its_first_write(deployed):
    d = deployed
    docs = f"{NAME}-docs"
    d.client.delete(docs, points_selector=models.PointIdsList(points=[GENERATION_ID]), wait=True)
    backend = QdrantBackend(d.client, NAME)
    assert backend.generation() == "" == backend.generation()
    assert len(backend.view.documents) == 5 and top_docs(backend, "jeugdhulp")
    backend.delete(DOC)
    assert backend.generation() != ""
    assert len(backend.view.documents) == 4  # the stamp is no document


def test_timed_value_reads_at_most_once_per_ttl_and_keeps_the_last_value_on_failure():
    reads, now, fail = [], [0.0], [False]

    def read() -> str:
        if fail[0]:
            raise ConnectionError("weg")
        reads.append(now[0])
        return f"v{len(reads)}"

    value = TimedValue(read, ttl=2, clock=lambda: now[0])
    assert [value.get(), value.get()] == ["v1", "v1"] and len(reads) == 1
    now[0] = 2.0
    assert value.get() == "v2"
    value.expire()
    assert value.get() == "v3"  # this process changed it: read at once
    fail[0], now[0] = True, 10.0
    assert value.get() == "v3"  # a failed read keeps the last value...
    with pytest.raises(ConnectionError):
        TimedValue(read, ttl=2).get()  # ...and raises when there is none
    fail[0] = False
    every_time = TimedValue(read, ttl=0, clock=lambda: now[0])
    assert every_time.get() != every_time.get()  # ttl 0: read on every call


def test_the_stamp_ttl_is_a_setting(monkeypatch):
    monkeypatch.setenv("BELEIDSZOEKER_QDRANT_STAMP_TTL", "0.5")
    assert Settings().qdrant_stamp_ttl == 0.5
    monkeypatch.delenv("BELEIDSZOEKER_QDRANT_STAMP_TTL")
    assert Settings().qdrant_stamp_ttl == 5


def test_reloading_serves_the_old_value_while_the_new_one_is_built_in_the_background():
    version, now = ["v1"], [0.0]
    started, release = threading.Event(), threading.Event()
    builds: list[str] = []

    def build() -> str:
        builds.append(version[0])
        if len(builds) > 1:  # the background build: slow, and we look at the app meanwhile
            started.set()
            assert release.wait(5)
        return f"retriever of {version[0]}"

    reloading = Reloading(build, lambda: version[0], min_interval=1, clock=lambda: now[0])
    assert reloading.get() == ("v1", "retriever of v1")  # the first build: in the caller, nothing serves yet
    version[0], now[0] = "v2", 1.0
    assert reloading.get() == ("v1", "retriever of v1")  # the old one answers at once...
    assert started.wait(5)
    assert reloading.get() == ("v1", "retriever of v1")  # ...also while the new one is being built
    assert builds == ["v1", "v2"]  # and only one build runs
    release.set()
    reloading.wait()
    assert reloading.get() == ("v2", "retriever of v2")


def test_reloading_builds_at_most_a_tenth_of_the_time_and_keeps_serving_after_a_failure():
    version, now, fail = ["v1"], [0.0], [False]
    builds: list[float] = []

    def build() -> str:
        builds.append(now[0])
        if fail[0]:
            raise ConnectionError("server weg")
        now[0] += 3.0  # every build takes 3 s of the (fake) clock
        return f"r{len(builds)}"

    reloading = Reloading(build, lambda: version[0], min_interval=1, clock=lambda: now[0])
    assert reloading.get() == ("v1", "r1")  # built from 0 to 3: the next not before 3 + 10 * 3 = 33
    version[0], now[0] = "v2", 32.0
    reloading.get()
    reloading.wait()
    assert len(builds) == 1
    now[0] = 33.0
    reloading.get()
    reloading.wait()
    assert reloading.get() == ("v2", "r2")
    version[0], fail[0], now[0] = "v3", True, 100.0
    reloading.get()
    reloading.wait()
    assert reloading.get() == ("v2", "r2") and isinstance(reloading.error, ConnectionError)
    fail[0], now[0] = False, 100.5
    reloading.get()
    reloading.wait()
    assert len(builds) == 3  # after a failure: again only after min_interval
    now[0] = 101.0
    reloading.get()
    reloading.wait()
    assert reloading.get()[0] == "v3" and reloading.error is None


def test_a_replica_follows_another_writer_without_a_query_waiting(deployed):
    """Two app servers on one collection: the replica keeps answering from its view while it reads the
    other's change in the background, then answers with it."""
    d = deployed
    replica = QdrantBackend(d.client, NAME)
    now = [0.0]  # builds take no time on this clock: the rate limit is the other test's
    reloading = Reloading(lambda: (replica.refresh(), HybridRetriever(replica, d.embedder))[1], replica.generation,
                          min_interval=0, clock=lambda: now[0])
    stamp, retriever = reloading.get()
    question = "Hoeveel pleeggezinnen en gezinshuizen komen er in Zeeland?"
    new = NewDocument("zeeland.txt", ZEELAND.encode(), "Pleegzorgplan Zeeland", "Zeeland", 2024)
    assert add_document(new, d.settings, embedder=d.embedder, backend=d.backend).ok
    assert reloading.get() == (stamp, retriever)  # served at once by what it had
    reloading.wait()
    stamp2, retriever2 = reloading.get()
    assert stamp2 != stamp and stamp2 == replica.generation()
    assert retriever2.search(question, k=3).hits[0].chunk.doc == "zeeland.txt"
