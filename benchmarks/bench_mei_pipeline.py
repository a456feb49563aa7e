"""MEI assignment: one MEI at a time (the old cell) against the batched ascent, idle and with a busy core.

The notebook's "MEIs of our neurons" cell used to call the student's
``generate_mei`` once per neuron and start (15 neurons x 3 starts, 120 steps),
on torch's default threads. It now sets ``torch.set_num_threads(1)`` and runs
``helpers.mei.batched_meis``: the student's ``generate_mei`` for all images at
once, sharing one forward and backward pass per step between the calls. This
script times both in the same run, with the reference answers of the source
notebook and the cached CNN:

* ``old``: ``mei_from_starts(generate_mei, ...)`` for every neuron, torch's
  default number of threads;
* ``new``: ``batched_meis`` on one thread;

first on the machine as it is ("idle"), then while a child process spins on
one core ("busy core"). It checks that both give the same images, and times
``new`` for every selected neuron (the notebook's ``ALL_MEIS = True``).
``--notebook`` also runs the whole source notebook while a core is busy;
``--train`` times training the CNN from scratch (12 epochs, one thread).

    python benchmarks/bench_mei_pipeline.py [--notebook] [--train] [--all-old]
"""

import argparse
import multiprocessing
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from course import notebooks as nbtools  # noqa: E402
from helpers.mei import load_model, select_neurons, simulate_experiment, train_model  # noqa: E402
from helpers.mei.ascent import batched_meis  # noqa: E402
from helpers.mei.diagnostics import mei_from_starts  # noqa: E402

SETTINGS = dict(n_steps=120, image_shape=(36, 64), contrast=0.1, cutoff=0.2, step_size=0.01)
DEFAULT_THREADS = torch.get_num_threads()


def reference_functions():
    """The source notebook's model answers, defined in a fresh namespace."""
    notebook = nbtools.read(REPO / "source" / "mei_vs_gabor" / "mei_vs_gabor.ipynb")
    namespace = {"np": np, "torch": torch}
    for cell in notebook.cells:
        if cell.cell_type == "code" and nbtools.is_answer(cell):
            exec(nbtools.reference_answer(cell), namespace)
    return namespace


def _spin():
    while True:
        pass


@contextmanager
def busy_core():
    """A child process that keeps one core busy inside the block."""
    process = multiprocessing.get_context("spawn").Process(target=_spin, daemon=True)
    process.start()
    try:
        time.sleep(0.5)
        yield
    finally:
        process.terminate()
        process.join()


def old_meis(answers, model, units):
    """The old cell: generate_mei one neuron and start at a time, torch's default threads."""
    torch.set_num_threads(DEFAULT_THREADS)
    return np.array([mei_from_starts(answers["generate_mei"], model, int(unit), n_starts=3, **SETTINGS)[0]
                     for unit in units])


def new_meis(answers, model, units):
    """The new cell: every neuron and start in one batch, one thread."""
    torch.set_num_threads(1)
    try:
        return batched_meis(answers["generate_mei"], model, units, n_starts=3, **SETTINGS)[0]
    finally:
        torch.set_num_threads(DEFAULT_THREADS)


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def setting_up(answers):
    experiment = simulate_experiment(random_state=0)
    responses = experiment.test_responses
    oracle = answers["oracle_correlation"](responses)
    selected = select_neurons(oracle, responses.mean(axis=2).var(axis=1), min_oracle=0.5, variance_quantile=0.5)
    selected_types = experiment.cell_types[selected]
    graded = np.concatenate([np.flatnonzero(selected_types == kind)[:5] for kind in ["simple", "complex", "two-subunit"]])
    return experiment, selected, graded


def run_notebook():
    sys.path.insert(0, str(REPO / "tests"))
    from conftest import execute_notebook

    start = time.perf_counter()
    notebook = execute_notebook(REPO / "source" / "mei_vs_gabor" / "mei_vs_gabor.ipynb")
    elapsed = time.perf_counter() - start
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    return elapsed, errors


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notebook", action="store_true", help="also run the whole notebook with a busy core")
    parser.add_argument("--train", action="store_true", help="also time training the CNN from scratch")
    parser.add_argument("--all-old", action="store_true", help="also time the old code on every selected neuron")
    parser.add_argument("--loads", nargs="+", choices=["idle", "busy"], default=["idle", "busy"],
                        help="run as the machine is, and/or with a busy core (default both)")
    parser.add_argument("--no-old-when-busy", action="store_true",
                        help="skip the old code with a busy core (it can take many minutes on a loaded machine)")
    args = parser.parse_args(argv)

    answers = reference_functions()
    experiment, selected, graded = setting_up(answers)
    model = load_model(REPO / "source" / "mei_vs_gabor" / "cnn_weights.pt")
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    everyone = np.arange(len(selected))
    print(f"{multiprocessing.cpu_count()} cores (load average {os.getloadavg()[0]:.1f} before), "
          f"torch's default threads: {DEFAULT_THREADS}; "
          f"{len(graded)} graded neurons, {len(selected)} selected; 3 starts x {SETTINGS['n_steps']} steps")

    rows = []
    for load in [{"idle": "idle", "busy": "busy core"}[name] for name in args.loads]:
        with busy_core() if load == "busy core" else _nothing():
            new_time, new = timed(new_meis, answers, model, graded)
            if load == "busy core" and args.no_old_when_busy:
                old_time, old = np.nan, new
            else:
                old_time, old = timed(old_meis, answers, model, graded)
            all_time, _ = timed(new_meis, answers, model, everyone)
            all_old_time = timed(old_meis, answers, model, everyone)[0] if args.all_old else None
            load_average = os.getloadavg()[0]
        difference = np.abs(old - new).max()
        rows.append((load, old_time, new_time, all_time, all_old_time, difference))
        print(f"{load:>9}: {len(graded)} MEIs old {old_time:6.1f} s, new {new_time:5.1f} s "
              f"({old_time / new_time:4.1f}x faster); all {len(selected)} MEIs new {all_time:5.1f} s"
              + (f", old {all_old_time:6.1f} s" if all_old_time is not None else "")
              + f"; largest pixel difference old - new {difference:.1e} (contrast 0.1); "
              f"load average {load_average:.1f}")
        assert difference < 1e-4, "the batched ascent should give the one-at-a-time images"

    if args.train:
        start = time.perf_counter()
        train_model(experiment.train_images, experiment.train_responses[selected], answers["poisson_loss"],
                    n_epochs=12, random_state=0)
        print(f"training the CNN (12 epochs, 1 thread): {time.perf_counter() - start:.1f} s")
    if args.notebook:
        with busy_core():
            elapsed, errors = run_notebook()
        print(f"whole source notebook with a busy core: {elapsed:.1f} s ({len(errors)} cells with an error)")
    return rows


@contextmanager
def _nothing():
    yield


if __name__ == "__main__":
    main()
