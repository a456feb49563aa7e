"""Oracle correlation: the seed project's pandas loops vs one vectorized pass.

The seed kept the recording as a long pandas table (one row per trial and
neuron) and, for every neuron and every image, filtered the whole table with
boolean masks. The first baseline does exactly that, computing the exact
leave-one-out oracle instead of the seed's random trial; it is timed on a few
neurons and scaled to all of them, because the full run takes minutes. The
second baseline is plain Python loops over neurons, images and trials. The
vectorized version is the notebook's reference answer. All run on the
assignment's recording (135 neurons x 118 images x 50 trials). Prints the
speed ratios and the largest differences (must be below 1e-12).

    python benchmarks/bench_mei.py [--pandas-neurons 4]
"""

import argparse
import time

import numpy as np
import pandas as pd

from helpers.mei import simulate_experiment
from timing import best_of


def long_table(responses):
    """The seed's layout: one row per (trial, neuron) with its image and spike count."""
    n_neurons, n_images, n_trials = responses.shape
    neuron, image, trial = np.meshgrid(np.arange(n_neurons), np.arange(n_images), np.arange(n_trials),
                                       indexing="ij")
    return pd.DataFrame({"trial_id": (image * n_trials + trial).ravel(), "neuron_id": neuron.ravel(),
                         "spike_count": responses.ravel(), "image_id": image.ravel()})


def pandas_seed_oracle(table, neurons):
    """The seed's nested loops with boolean masks on the long table (exact oracle)."""
    result = []
    for neuron_id in neurons:
        trials, others = [], []
        for image_id in table[table["neuron_id"] == neuron_id]["image_id"].unique():
            rows = table[(table["neuron_id"] == neuron_id) & (table["image_id"] == image_id)]
            for trial_id in rows["trial_id"].unique():
                trials.append(rows[rows["trial_id"] == trial_id]["spike_count"].values[0])
                others.append(rows[rows["trial_id"] != trial_id]["spike_count"].values.mean())
        result.append(np.corrcoef(trials, others)[0, 1])
    return np.array(result)


def loop_oracle(responses):
    """Leave-one-out oracle correlation, one trial at a time."""
    result = []
    for neuron in responses:
        trials, others = [], []
        for image in neuron:
            total = sum(image)
            for count in image:
                trials.append(count)
                others.append((total - count) / (len(image) - 1))
        result.append(np.corrcoef(trials, others)[0, 1])
    return np.array(result)


def vectorized_oracle(responses):
    """The same numbers from whole-array operations."""
    n_neurons, n_images, n_trials = responses.shape
    others = (responses.sum(axis=2, keepdims=True) - responses) / (n_trials - 1)
    single = responses.reshape(n_neurons, -1) - responses.reshape(n_neurons, -1).mean(axis=1, keepdims=True)
    others = others.reshape(n_neurons, -1) - others.reshape(n_neurons, -1).mean(axis=1, keepdims=True)
    return (single * others).sum(axis=1) / np.sqrt((single ** 2).sum(axis=1) * (others ** 2).sum(axis=1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pandas-neurons", type=int, default=4,
                        help="neurons timed with the pandas baseline (scaled to all of them)")
    args = parser.parse_args()
    responses = simulate_experiment(random_state=0).test_responses
    n_neurons = len(responses)
    table = long_table(responses)
    some = np.arange(args.pandas_neurons)
    start = time.perf_counter()
    seed_like = pandas_seed_oracle(table, some)
    pandas_time = (time.perf_counter() - start) * n_neurons / len(some)
    loop_time, loop = best_of(lambda: loop_oracle(responses), 1)
    fast_time, fast = best_of(lambda: vectorized_oracle(responses), 5)
    print(f"oracle correlation for {responses.shape} (neurons, images, trials)")
    print(f"seed's pandas loops (timed on {len(some)} neurons, scaled): {pandas_time:9.1f} s")
    print(f"Python loops over neurons, images, trials:        {loop_time:9.3f} s")
    print(f"vectorized:                                       {fast_time:9.4f} s (target <= 0.5 s)")
    print(f"speed-up: {pandas_time / fast_time:.0f}x over pandas, {loop_time / fast_time:.0f}x over Python loops")
    print(f"max |difference|: pandas {np.abs(seed_like - fast[some]).max():.2e}, "
          f"loops {np.abs(loop - fast).max():.2e} (target < 1e-12)")


if __name__ == "__main__":
    main()
