"""LNP assignment: speed of the likelihood gradient and of a receptive-field fit.

    .venv/bin/python benchmarks/bench_lnp.py

1. The gradient of the negative log-likelihood as a Python loop over frames
   (the seed's ``gradient``: one frame at a time) against one matrix product,
   ``s.T @ (r - c)``: the optimizer calls it hundreds of times, so the loop
   must not be the way students learn it. Target: >= 20x.
2. A maximum-likelihood fit of 225 pixels from 10,000 bins with L-BFGS-B.
   Target: <= 1 s (the notebook's "more data" figure and demo fit that much).
"""

import time

import numpy as np
from scipy.optimize import minimize

from helpers.lnp import gaussian_rf


def gradient_loop(w, c, s, dt=0.1, R=50):
    grad = np.zeros_like(w)
    for t in range(s.shape[0]):
        grad += (np.exp(w @ s[t]) * dt * R - c[t]) * s[t]
    return grad


def negloglike_vectorized(w, c, s, dt=0.1, R=50):
    u = s @ w
    r = np.exp(u) * dt * R
    return np.sum(r) - c @ u, s.T @ (r - c)


def best_of(function, repeats=5):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    rng = np.random.default_rng(0)
    w = gaussian_rf(15, width=7, center=(1, 1)).ravel()
    s = np.sqrt(2.0) * rng.choice([-1.0, 1.0], size=(10_000, w.size))
    c = rng.poisson(np.exp(s @ w) * 0.1 * 50).astype(float)
    w_test = rng.normal(scale=0.1, size=w.size)

    np.testing.assert_allclose(gradient_loop(w_test, c, s), negloglike_vectorized(w_test, c, s)[1], rtol=1e-8)
    loop = best_of(lambda: gradient_loop(w_test, c, s), repeats=3)
    vectorized = best_of(lambda: negloglike_vectorized(w_test, c, s))
    ratio = loop / vectorized
    print(f"gradient, 225 pixels x 10,000 bins: loop {loop * 1e3:.1f} ms, vectorized {vectorized * 1e3:.2f} ms, "
          f"ratio {ratio:.0f}x (target >= 20x)")

    def fit():
        return minimize(negloglike_vectorized, np.zeros(w.size), args=(c, s), jac=True, method="L-BFGS-B")

    fit_time = best_of(fit, repeats=3)
    res = fit()
    corr = np.corrcoef(res.x, w)[0, 1]
    print(f"ML fit, 225 pixels from 10,000 bins: {fit_time:.3f} s ({res.nit} iterations, corr. with truth "
          f"{corr:.3f}); ratio to the 1 s budget {fit_time / 1.0:.2f} (target <= 1)")
    ok = ratio >= 20 and fit_time <= 1.0
    print("OK" if ok else "TOO SLOW")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
