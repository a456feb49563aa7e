"""The benchmarks' baselines compute the same numbers as the code they are compared with."""

import sys

import numpy as np
import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))


def test_oracle_baselines_agree_with_the_vectorized_oracle():
    pytest.importorskip("pandas")
    import bench_mei

    responses = np.random.default_rng(3).poisson(4.0, size=(3, 6, 5)).astype(float)
    fast = bench_mei.vectorized_oracle(responses)
    table = bench_mei.long_table(responses)
    assert len(table) == responses.size
    np.testing.assert_allclose(bench_mei.pandas_seed_oracle(table, range(3)), fast, atol=1e-12)
    np.testing.assert_allclose(bench_mei.loop_oracle(responses), fast, atol=1e-12)


def test_pipeline_benchmark_uses_the_source_notebooks_reference_answers():
    import bench_mei_pipeline

    answers = bench_mei_pipeline.reference_functions()
    assert {"oracle_correlation", "poisson_loss", "generate_mei", "fft_smooth"} <= set(answers)
    toy = np.array([[[1.0, 3.0], [5.0, 9.0]]])
    assert answers["oracle_correlation"](toy) == pytest.approx([15 / 35])
