"""Benchmark: the judge's false-alarm rate and detection rate on autocorrelated `rate()` samples.

Prints, asserts nothing. Simulates what Prometheus gives the judge: Triton's cumulative counters
(requests, total request microseconds) of a canary and a baseline pod, scraped every 15 s, read as
`rate(duration[60s]) / rate(success[60s])` — the built-in avg_latency_ms — at the judge's sample
times. Per-request latencies are log-normal (median 20 ms, sigma 0.8), requests a Poisson stream.

Three samplings are compared over the same simulated traffic, each over `--runs` runs (>= 500):
  * "5s (old default)": 20 samples 5 s apart of a 60 s window — consecutive samples share most of
    their scrapes, so the test's independence assumption fails;
  * "window (now)": 20 samples one window (60 s) apart, as analysis/samples.py now takes them.
For identical canary and baseline it prints the observed rate of "significant" (p < 1 - confidence
and the interval excludes 0) next to the nominal 1 - confidence, and the rate of a failed metric
(significantly higher beyond the allowed 10%) next to its nominal (half: one direction). For a
canary 30% slower it prints the detection rate. The reference run is the same judge on truly
independent samples (one fresh window each), in the same invocation.
"""

from __future__ import annotations

import argparse
import math

from tritonship.deploy.judge import MetricSamples, judge_metric

SCRAPE_S = 15.0
WINDOW_S = 60.0
SAMPLES = 20
CONFIDENCE = 0.98


def _bins(rng, seconds: float, rps: float, scale: float):
    """Per scrape interval: (requests, summed latency ms) of one pod."""
    import numpy as np

    n_bins = math.ceil(seconds / SCRAPE_S) + 1
    counts = rng.poisson(rps * SCRAPE_S, n_bins)
    sums = np.array([rng.lognormal(math.log(20.0 * scale), 0.8, c).sum() for c in counts])
    return counts, sums


def _rate_samples(rng, interval: float, rps: float, scale: float, samples: int = SAMPLES) -> tuple[float, ...]:
    """avg latency = increase(sum) / increase(count) between the first and last scrape in each window."""
    import numpy as np

    span = WINDOW_S + interval * (samples - 1) + SCRAPE_S
    counts, sums = _bins(rng, span, rps, scale)
    c_cum, s_cum = np.concatenate([[0], np.cumsum(counts)]), np.concatenate([[0.0], np.cumsum(sums)])
    offset = rng.uniform(0, SCRAPE_S)  # evaluation times are not aligned with scrapes
    out = []
    for k in range(samples):
        t = WINDOW_S + offset + k * interval
        first = math.floor((t - WINDOW_S) / SCRAPE_S) + 1  # first scrape inside (t - W, t]
        last = math.floor(t / SCRAPE_S)
        dc = c_cum[last] - c_cum[first]
        out.append(float((s_cum[last] - s_cum[first]) / dc) if dc else float("nan"))
    return tuple(x for x in out if not math.isnan(x))


def _independent(rng, rps: float, scale: float) -> tuple[float, ...]:
    return tuple(_rate_samples(rng, 0.0, rps, scale, samples=1)[0] for _ in range(SAMPLES))


def _outcome(baseline, canary) -> tuple[bool, bool]:
    verdict = judge_metric(MetricSamples("latency", baseline, canary, direction="increase",
                                         allowed_change_pct=10.0, allowed_change_abs=1.0), CONFIDENCE)
    significant = (verdict.p_value is not None and verdict.p_value < 1 - CONFIDENCE and verdict.effect is not None
                   and not verdict.effect.low <= 0 <= verdict.effect.high)
    return significant, verdict.failed


def _rates(runs: int, seed: int, rps: float, draw) -> dict[str, float]:
    import numpy as np

    rng = np.random.default_rng(seed)
    same = [_outcome(draw(rng, 1.0), draw(rng, 1.0)) for _ in range(runs)]
    shifted = [_outcome(draw(rng, 1.0), draw(rng, 1.3)) for _ in range(runs)]
    return {"significant": sum(s for s, _ in same) / runs, "failed": sum(f for _, f in same) / runs,
            "detected": sum(f for _, f in shifted) / runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--rps", type=float, default=2.0, help="requests per second to each pod")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    runs = max(500, args.runs)
    nominal = 1 - CONFIDENCE
    schemes = {
        "independent (reference)": lambda rng, s: _independent(rng, args.rps, s),
        "5s apart (old default)": lambda rng, s: _rate_samples(rng, 5.0, args.rps, s),
        "1 window apart (now)": lambda rng, s: _rate_samples(rng, WINDOW_S, args.rps, s),
    }
    print(f"judge on avg latency, {SAMPLES} samples of rate()[{WINDOW_S:g}s] over {SCRAPE_S:g}s scrapes, "
          f"{args.rps:g} req/s per pod, confidence {CONFIDENCE}, {runs} runs per row")
    print(f"{'sampling':<26} {'significant':>12} {'nominal':>8} {'ratio':>6} {'metric fails':>13} "
          f"{'nominal':>8} {'ratio':>6} {'+30% detected':>14}")
    for i, (name, draw) in enumerate(schemes.items()):
        r = _rates(runs, args.seed + i, args.rps, draw)
        print(f"{name:<26} {r['significant']:>12.1%} {nominal:>8.1%} {r['significant'] / nominal:>6.2f} "
              f"{r['failed']:>13.1%} {nominal / 2:>8.1%} {r['failed'] / (nominal / 2):>6.2f} {r['detected']:>14.1%}")
    print("target (now): observed <= 1.5x nominal, +30% detected >= 95%")


if __name__ == "__main__":
    main()
