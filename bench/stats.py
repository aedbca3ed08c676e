"""The one percentile every benchmark reports (no Django: the sub-process benchmarks import it too)."""

from __future__ import annotations

import math


def pct(values: list[float], p: float) -> float:
    """The nearest-rank percentile: the smallest value that at least ``p`` per cent of the values are at or below
    (the ``ceil(p/100 × n)``-th of the sorted values). Of 20 runs, p95 is the 19th: one slow run in 20 is the
    5 per cent p95 leaves out, two are not."""
    ordered = sorted(values)
    rank = math.ceil(round(p / 100 * len(ordered), 9))  # round: 0.95 × 20 is 19.000000000000004 in floats
    return ordered[max(0, min(len(ordered), rank) - 1)]
