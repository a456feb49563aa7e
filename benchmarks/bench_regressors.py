"""10,000 GLM fits: one lstsq call per data vector vs one solve for all of them.

The tutorial's simulation (15 scans, 3 columns: two correlated HRF
regressors and the mean; 10,000 noisy data vectors). Prints both times, the
speed ratio and the largest difference between the two sets of estimates
(round-off only).

    python benchmarks/bench_regressors.py [--samples N]
"""

import argparse

import numpy as np
from scipy.stats import gamma

from helpers.regressors import design_matrix, simulate_data, tr_times
from timing import best_of


def hrf(times):
    """SPM-like HRF (the benchmark's own copy; the helpers leave it to students)."""
    times = np.asarray(times, dtype=float)
    values = np.where(times > 0, gamma.pdf(times, 6) - 0.35 * gamma.pdf(times, 12), 0.0)
    return values / values.sum()


def loop_of_fits(X, Ys):
    B = np.empty((X.shape[1], Ys.shape[1]))
    for j in range(Ys.shape[1]):
        B[:, j] = np.linalg.lstsq(X, Ys[:, j], rcond=None)[0]
    return B


def one_solve(X, Ys):
    return np.linalg.lstsq(X, Ys, rcond=None)[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    args = parser.parse_args()
    times = tr_times()
    hrf1, hrf2 = hrf(times), hrf(times - 2)
    hrf1, hrf2 = hrf1 - hrf1.mean(), hrf2 - hrf2.mean()
    X = design_matrix(hrf1, hrf2)
    Ys = simulate_data(hrf1 + hrf2, n_samples=args.samples, random_state=42)
    loop_time, looped = best_of(lambda: loop_of_fits(X, Ys), 1)
    fast_time, fast = best_of(lambda: one_solve(X, Ys), 5)
    print(f"{args.samples} data vectors of {X.shape[0]} scans, design {X.shape}")
    print(f"one lstsq call per data vector: {loop_time:8.4f} s")
    print(f"one lstsq call for all of them: {fast_time:8.4f} s")
    print(f"speed-up: {loop_time / fast_time:.0f}x")
    print(f"max |difference|: {np.abs(looped - fast).max():.1e} (round-off)")


if __name__ == "__main__":
    main()
