"""simulate_neurons vs the original per-step multivariate_normal loop.

Both run in this process on the same network (256 neurons x 10,000 steps,
the bonus section's size); prints the speed ratio and the largest absolute
difference (must be exactly 0).

    python benchmarks/bench_simulation.py [--timesteps N]
"""

import argparse

import numpy as np

from helpers.correlations import create_connectivity, sigmoid, simulate_neurons
from timing import best_of


def per_step_loop(A, timesteps, random_state=42):
    """The tutorial's original code path (global generator, one draw per step)."""
    np.random.seed(random_state)
    n_neurons = len(A)
    X = np.zeros((n_neurons, timesteps))
    for t in range(timesteps - 1):
        epsilon = np.random.multivariate_normal(np.zeros(n_neurons), np.eye(n_neurons))
        X[:, t + 1] = sigmoid(A.dot(X[:, t]) + epsilon)
    return X


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neurons", type=int, default=256)
    parser.add_argument("--timesteps", type=int, default=10_000)
    args = parser.parse_args()
    A = create_connectivity(args.neurons, random_state=42)
    baseline_time, baseline = best_of(lambda: per_step_loop(A, args.timesteps), 1)
    fast_time, fast = best_of(lambda: simulate_neurons(A, args.timesteps, random_state=42), 3)
    print(f"{args.neurons} neurons x {args.timesteps} steps")
    print(f"per-step multivariate_normal loop: {baseline_time:8.2f} s")
    print(f"simulate_neurons:                  {fast_time:8.2f} s")
    print(f"speed-up: {baseline_time / fast_time:.0f}x (target >= 100x)")
    print(f"max |difference|: {np.abs(baseline - fast).max()} (target exactly 0)")


if __name__ == "__main__":
    main()
