"""The benchmarks' percentile (bench/stats.py): nearest rank, so a p95 of 20 runs is the 19th, not the slowest."""

from bench.stats import pct


def test_nearest_rank_percentile():
    runs = [float(n) for n in range(20, 0, -1)]  # 1 … 20, unsorted
    assert pct(runs, 95) == 19.0  # ceil(0.95 × 20) = 19th: the one slowest run of 20 is the 5 % left out
    assert pct(runs, 50) == 10.0
    assert pct(runs, 100) == 20.0
    assert pct(runs, 0) == 1.0
    assert pct([3.0], 95) == 3.0
    assert pct([float(n) for n in range(1, 101)], 95) == 95.0
    assert pct([float(n) for n in range(1, 11)], 95) == 10.0  # of 10 runs, p95 is the slowest
