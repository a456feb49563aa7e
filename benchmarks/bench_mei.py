"""Oracle correlation: the seed project's loop style vs one vectorized pass.

The seed filtered a pandas table inside nested loops over neurons and images
(minutes). The baseline here is the same work as plain Python loops over
neurons, images and trials, without pandas (so it is already much faster than
the seed); the vectorized version is the notebook's reference answer. Both run
on the assignment's recording (135 neurons x 118 images x 50 trials). Prints
the speed ratio and the largest difference (must be below 1e-12).

    python benchmarks/bench_mei.py
"""


import numpy as np

from helpers.mei import simulate_experiment
from timing import best_of


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
    responses = simulate_experiment(random_state=0).test_responses
    loop_time, loop = best_of(lambda: loop_oracle(responses), 1)
    fast_time, fast = best_of(lambda: vectorized_oracle(responses), 5)
    print(f"oracle correlation for {responses.shape} (neurons, images, trials)")
    print(f"Python loops over neurons, images, trials: {loop_time:8.3f} s")
    print(f"vectorized:                                {fast_time:8.4f} s (target <= 0.5 s)")
    print(f"speed-up: {loop_time / fast_time:.0f}x")
    print(f"max |difference|: {np.abs(loop - fast).max():.2e} (target < 1e-12)")


if __name__ == "__main__":
    main()
