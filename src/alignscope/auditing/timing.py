"""Stage timings: wall-clock and process CPU seconds of each named stage of a run."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class StageTimer:
    """Records ``(stage, wall_s, cpu_s)`` for each ``with timer.stage(name):`` block, in order.

    CPU seconds (all threads of this process) show how much of the wall time was this run's own work on a
    machine shared with other processes.
    """

    stages: list[dict[str, float | str]] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as stage ``name`` (recorded even if the block raises)."""
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.stages.append(
                {
                    "stage": name,
                    "wall_s": round(time.perf_counter() - wall, 2),
                    "cpu_s": round(time.process_time() - cpu, 2),
                }
            )

    @property
    def total_wall_s(self) -> float:
        """Sum of the stages' wall seconds."""
        return round(sum(float(s["wall_s"]) for s in self.stages), 2)
