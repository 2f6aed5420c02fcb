"""A value that is expensive to read and changes rarely, read at most once per `ttl` seconds: the Qdrant
collection's version stamp, which every app rerun asks for (a round trip each time would slow every click)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


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
