"""Time left in a build stage, for the CLI's progress bar and the web app's rebuild bar.

The build reports progress as (stage, done, total) (index.build.Progress). `TimeLeft` turns
that into an estimate from the stage's own rate so far: the one-pass encoder runs its
length-sorted batches in a shuffled order (index.onepass), so inputs done grow in proportion
to the work done and the plain rate is a fair estimate.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class TimeLeft:
    """Call with each progress report; returns the estimated seconds left in the stage, or
    None while there is too little to go on (nothing done yet, or under `settle` seconds)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, settle: float = 1.0):
        self.clock = clock
        self.settle = settle
        self.stage: str | None = None
        self.started = 0.0
        self.first_done = 0

    def __call__(self, stage: str, done: int, total: int) -> float | None:
        now = self.clock()
        if stage != self.stage:
            self.stage, self.started, self.first_done = stage, now, done
            return None
        elapsed = now - self.started
        progressed = done - self.first_done
        if progressed <= 0 or elapsed < self.settle or total <= 0:
            return None
        return max(0.0, (total - done) * elapsed / progressed)


def time_left_words(seconds: float | None) -> str:
    """'about 40 s left', 'about 3 min left'; '' when unknown or done."""
    if seconds is None or seconds < 0.5:
        return ""
    if seconds < 60:
        return f"about {max(1, round(seconds))} s left"
    minutes = seconds / 60
    if minutes < 90:
        return f"about {round(minutes)} min left"
    return f"about {minutes / 60:.1f} h left"
