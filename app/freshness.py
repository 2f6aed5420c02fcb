"""Keeping the app current with a Qdrant collection that other replicas and index workers change: its version
stamp read at most once per `ttl` seconds (`TimedValue`: every app rerun asks for it, and a round trip each
time would slow every click), and the retriever rebuilt in the background when that version moves on
(`Reloading`: at 10^5 passages reading the collection's documents and term statistics takes seconds)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class TimedValue:
    """`get` returns the last value read while it is younger than `ttl` seconds, else reads it again. A read
    that fails keeps the last value (the next `get` after `ttl` tries again) and raises only when there is none."""

    def __init__(self, read: Callable[[], str], ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._read, self._ttl, self._clock = read, ttl, clock
        self._value: str | None = None
        self._at = float("-inf")
        self._lock = threading.Lock()

    def get(self) -> str:
        with self._lock:
            now = self._clock()
            if self._value is not None and now - self._at < self._ttl:
                return self._value
            try:
                self._value = self._read()
            except Exception:
                if self._value is None:
                    raise
            self._at = now
            return self._value

    def expire(self) -> None:
        """The next `get` reads again (after this process changed the value itself)."""
        with self._lock:
            self._at = float("-inf")


class Reloading(Generic[T]):
    """A value built from a versioned source (the retriever over a Qdrant collection), kept current without
    making a request wait: when the source's version moves on, the new value is built in a background thread
    while the old one keeps serving, then swapped in. A build starts at most once per `min_interval` seconds,
    and not sooner than ten times the last build's duration after it, so a collection that changes every
    second (index workers writing) costs a replica at most about a tenth of a core."""

    def __init__(
        self, build: Callable[[], T], version: Callable[[], str], *, min_interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._build, self._version, self._min_interval, self._clock = build, version, min_interval, clock
        self._current: tuple[str, T] | None = None
        self._building: threading.Thread | None = None
        self._not_before = float("-inf")
        self._lock = threading.Lock()
        self.error: Exception | None = None  # the last background build's failure (the old value kept serving)

    def get(self) -> tuple[str, T]:
        """The serving (version, value). The first call builds in this thread (nothing serves yet); later
        calls start a background build when the source's version differs from the serving one."""
        with self._lock:
            current = self._current
        if current is None:
            return self.rebuild()
        if self._version() != current[0]:
            self._start()
        return current

    def rebuild(self) -> tuple[str, T]:
        """Build now, in this thread, and serve the result (after this process's own write, which its user
        expects to see at once). A background build still running finishes first, so it cannot replace
        this newer value with an older one."""
        self.wait()
        version, started = self._version(), self._clock()
        value = self._build()
        return self._serve(version, value, started)

    def wait(self) -> None:
        """Until a running background build is done (for tests and orderly shutdown)."""
        thread = self._building
        if thread is not None:
            thread.join()

    def _start(self) -> None:
        with self._lock:
            if self._building is not None or self._clock() < self._not_before:
                return
            self._building = threading.Thread(target=self._background, name="herladen", daemon=True)
            thread = self._building
        thread.start()

    def _background(self) -> None:
        started = self._clock()
        try:
            version = self._version()
            self._serve(version, self._build(), started)
        except Exception as err:  # keep serving the old value; try again after min_interval
            with self._lock:
                self.error = err
                self._not_before = self._clock() + self._min_interval
        finally:
            with self._lock:
                self._building = None

    def _serve(self, version: str, value: T, started: float) -> tuple[str, T]:
        now = self._clock()
        with self._lock:
            self._current = (version, value)
            self._not_before = now + max(self._min_interval, 10 * (now - started))
            self.error = None
        return version, value
