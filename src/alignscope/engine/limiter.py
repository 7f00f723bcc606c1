"""Adaptive per-endpoint concurrency (AIMD): halve on overload, climb back by one per window of successes."""

from __future__ import annotations

import time


class AdaptiveLimiter:
    """The concurrency limit of one endpoint, adapting to the server.

    On an overload signal (429, 503, timeout) the limit halves, at most once per ``cooldown_s`` so that a
    burst of errors from calls already in flight counts once; after ``limit`` consecutive successes it grows
    by one, up to ``ceiling``. Users never tune concurrency by hand. Single-threaded (asyncio) state: the
    engine serialises access.
    """

    def __init__(
        self, start: int, ceiling: int | None = None, floor: int = 1, cooldown_s: float = 1.0
    ) -> None:
        self.limit = max(floor, start)
        self.ceiling = max(self.limit, ceiling or start * 4)
        self.floor = floor
        self.cooldown_s = cooldown_s
        self.in_flight = 0
        self._successes = 0
        self._last_cut = -1e9

    @property
    def free(self) -> int:
        """Slots free right now."""
        return self.limit - self.in_flight

    def take(self) -> None:
        """Occupy a slot (the caller checked ``free > 0``)."""
        self.in_flight += 1

    def give_back(self, *, ok: bool, overload: bool = False) -> None:
        """Free a slot, adapting the limit to the call's outcome."""
        self.in_flight -= 1
        if overload:
            now = time.monotonic()
            if now - self._last_cut >= self.cooldown_s:
                self.limit = max(self.floor, self.limit // 2)
                self._last_cut = now
            self._successes = 0
        elif ok:
            self._successes += 1
            if self._successes >= self.limit and self.limit < self.ceiling:
                self.limit += 1
                self._successes = 0
