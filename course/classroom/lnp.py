"""Submissions for the LNP assignment: other correct answers and mistakes.

The mistakes are those of the student's submission in the seed (see the seeds
README: element-wise product with a mean, a stimulus that is not checkerboard
noise, the gradient of the wrong sign, ``log(factorial(c))``, ``res.jac``, the
second singular vectors, ``Vt`` indexed as ``V``) and classic slips (a lag off
by one, ``np.histogram`` with a number of bins instead of the trigger edges).
"""

from course.classroom import Variant

SAMPLE = "test_sample_lnp"
NLL = "test_negloglike_lnp"
FIT = "test_fit_rf"
BIN = "test_bin_spikes"
LAGS = "test_fit_rf_lags"
SVD = "test_separate_space_time"
LASSO = "test_fit_lasso_lags"


def _sample(body):
    return "def sample_lnp(w, nT, dt, R, v, random_state=None):\n" + body


def _nll(body):
    return "def negloglike_lnp(w, c, s, dt=0.1, R=50):\n" + body


def _fit(body):
    return "def fit_rf(c, s, dt=0.1, R=50):\n" + body


def _bin(body):
    return "def bin_spikes(spike_times, trigger_times):\n" + body


def _lags(body):
    return "def fit_rf_lags(c, s, lags=range(5), dt=0.1, R=50):\n" + body


def _svd(body):
    return "def separate_space_time(W):\n" + body


def _lasso(body):
    return "def fit_lasso_lags(c, s, lags=range(5), alpha=0.1):\n" + body


VARIANTS = {
    # other correct implementations: full marks
    "legacy_generator_full_likelihood": Variant(
        "RandomState and another draw order; the full log-likelihood with gammaln and log(dt R); "
        "BFGS; np.histogram with the trigger edges; scipy's SVD scaled and flipped; LassoLars",
        {"sample_lnp": _sample(
            "    rng = np.random.RandomState(random_state)\n"
            "    w = np.ravel(w)\n"
            "    s = (2.0 * rng.randint(0, 2, size=(nT, len(w))) - 1) * np.sqrt(v)\n"
            "    r = np.exp(s @ w) * dt * R\n"
            "    c = np.array([rng.poisson(rate) for rate in r])\n"
            "    return c, r, s\n"),
         "negloglike_lnp": _nll(
            "    r = np.exp(s @ w) * dt * R\n"
            "    f = -np.sum(c * np.log(r) - r - gammaln(c + 1))\n"
            "    df = -(s.T @ c - s.T @ r)\n"
            "    return f, df\n"),
         "fit_rf": _fit(
            "    res = minimize(negloglike_lnp, x0=np.zeros(np.shape(s)[1]), args=(c, s, dt, R), jac=True)\n"
            "    return res.x\n"),
         "bin_spikes": _bin(
            "    counts, edges = np.histogram(spike_times, bins=trigger_times)\n"
            "    return counts\n"),
         "fit_rf_lags": _lags(
            "    W = []\n"
            "    for k in lags:\n"
            "        W.append(fit_rf(c[k:], s[:len(s) - k], dt, R))\n"
            "    return np.array(W).T\n"),
         "separate_space_time": _svd(
            "    import scipy.linalg\n"
            "    U, S, Vt = scipy.linalg.svd(W - np.mean(W))\n"
            "    return -S[0] * U[:, 0], -Vt[0, :]\n"),
         "fit_lasso_lags": _lasso(
            "    from sklearn.linear_model import LassoLars\n"
            "    n = len(c)\n"
            "    return np.array([LassoLars(alpha=alpha).fit(s[:n - k], c[k:]).coef_ for k in lags]).T\n")},
        frozenset()),
    "loops_and_global_seed": Variant(
        "np.random.seed inside the functions (a style problem, as in the seed, not a wrong answer); "
        "per-bin loops; eigenvectors instead of the SVD; Lasso with more iterations",
        {"sample_lnp": _sample(
            "    np.random.seed(random_state)\n"
            "    s = np.random.choice([-np.sqrt(v), np.sqrt(v)], size=(nT, np.size(w)))\n"
            "    r = np.zeros(nT)\n"
            "    for t in range(nT):\n"
            "        r[t] = np.exp(np.dot(w, s[t])) * dt * R\n"
            "    c = np.random.poisson(r)\n"
            "    return c, r, s\n"),
         "negloglike_lnp": _nll(
            "    np.random.seed(30)\n"
            "    r = np.exp(s @ w) * dt * R\n"
            "    f = np.sum(r - c * np.log(r))\n"
            "    return f, s.T @ (r - c)\n"),
         "bin_spikes": _bin(
            "    counts = np.zeros(len(trigger_times) - 1, dtype=int)\n"
            "    for k in range(len(counts)):\n"
            "        counts[k] = np.sum((spike_times >= trigger_times[k]) & (spike_times < trigger_times[k + 1]))\n"
            "    return counts\n"),
         "separate_space_time": _svd(
            "    A = W - W.mean()\n"
            "    values, spatial = np.linalg.eigh(A @ A.T)\n"
            "    values, temporal = np.linalg.eigh(A.T @ A)\n"
            "    return spatial[:, -1], temporal[:, -1]\n"),
         "fit_lasso_lags": _lasso(
            "    W = np.zeros((s.shape[1], len(list(lags))))\n"
            "    for i, k in enumerate(lags):\n"
            "        model = Lasso(alpha=alpha, max_iter=10000)\n"
            "        model.fit(s[:len(s) - k], c[k:])\n"
            "        W[:, i] = model.coef_\n"
            "    return W\n")},
        frozenset()),
    # plausible mistakes: lose exactly the points of `fails`
    "sample_elementwise_mean": Variant(
        "rate from the element-wise product w * s averaged over pixels (the seed's exp(w.T*s).mean(axis=1))",
        {"sample_lnp": _sample(
            "    rng = np.random.default_rng(random_state)\n"
            "    s = np.sqrt(v) * rng.choice([-1.0, 1.0], size=(nT, len(w)))\n"
            "    r = np.exp(w * s).mean(axis=1) * dt * R\n"
            "    return rng.poisson(r), r, s\n")},
        frozenset({SAMPLE})),
    "sample_not_checkerboard": Variant(
        "stimulus of 0/1 pixels times a random gain per frame, not +-sqrt(v) checkerboard noise (as in the seed)",
        {"sample_lnp": _sample(
            "    rng = np.random.default_rng(random_state)\n"
            "    s = rng.integers(0, 2, size=(nT, len(w))) * rng.normal(1, 4 * v, size=nT)[:, None]\n"
            "    r = np.exp(s @ w) * dt * R\n"
            "    return rng.poisson(r), r, s\n")},
        frozenset({SAMPLE})),
    "sample_gaussian_noise": Variant(
        "Gaussian white noise with variance v instead of checkerboard noise",
        {"sample_lnp": _sample(
            "    rng = np.random.default_rng(random_state)\n"
            "    s = rng.normal(0, np.sqrt(v), size=(nT, len(w)))\n"
            "    r = np.exp(s @ w) * dt * R\n"
            "    return rng.poisson(r), r, s\n")},
        frozenset({SAMPLE})),
    "nll_wrong_sign_gradient": Variant(
        "negative log-likelihood with the gradient of the positive log-likelihood (as in the seed)",
        {"negloglike_lnp": _nll(
            "    r = np.exp(s @ w) * dt * R\n"
            "    f = np.sum(r - c * np.log(r))\n"
            "    df = s.T @ (c - r)\n"
            "    return f, df\n")},
        frozenset({NLL})),
    "nll_elementwise_mean": Variant(
        "rate from the element-wise product w * s averaged over pixels",
        {"negloglike_lnp": _nll(
            "    r = np.exp(w * s).mean(axis=1) * dt * R\n"
            "    f = np.sum(r - c * np.log(r))\n"
            "    df = s.T @ (r - c)\n"
            "    return f, df\n")},
        frozenset({NLL})),
    "nll_log_factorial": Variant(
        "log(factorial(c)), which overflows to inf for counts above 170 (as in the seed)",
        {"negloglike_lnp": _nll(
            "    import scipy.special\n"
            "    r = np.exp(s @ w) * dt * R\n"
            "    f = np.sum(-c * np.log(r) + np.log(scipy.special.factorial(c)) + r)\n"
            "    df = s.T @ (r - c)\n"
            "    return f, df\n")},
        frozenset({NLL})),
    "fit_returns_jac": Variant(
        "returns res.jac (the gradient at the optimum) instead of res.x (as in the seed)",
        {"fit_rf": _fit(
            "    res = minimize(negloglike_lnp, np.zeros(s.shape[1]), args=(c, s, dt, R), jac=True)\n"
            "    return res.jac\n")},
        frozenset({FIT})),
    "bin_histogram_n_bins": Variant(
        "np.histogram with a number of equal bins instead of the trigger times as edges",
        {"bin_spikes": _bin(
            "    return np.histogram(spike_times, bins=len(trigger_times) - 1)[0]\n")},
        frozenset({BIN})),
    "lags_off_by_one": Variant(
        "pairs counts c[k + 1:] with frames s[:len(s) - k - 1] (every lag shifted by one)",
        {"fit_rf_lags": _lags(
            "    n = len(c)\n"
            "    return np.column_stack([fit_rf(c[k + 1:], s[:n - k - 1], dt, R) for k in lags])\n")},
        frozenset({LAGS})),
    "lags_negative_slice": Variant(
        "uses s[:-k], which is empty for lag 0",
        {"fit_rf_lags": _lags(
            "    return np.column_stack([fit_rf(c[k:], s[:-k], dt, R) for k in lags])\n")},
        frozenset({LAGS})),
    "svd_second_component": Variant(
        "takes the second singular vectors u[:, 1], v[:, 1] (as in the seed)",
        {"separate_space_time": _svd(
            "    u, sv, vt = np.linalg.svd(W - W.mean(), full_matrices=False)\n"
            "    return u[:, 1], vt[1]\n")},
        frozenset({SVD})),
    "svd_vt_as_v": Variant(
        "indexes Vt as if it were V: a column of Vt instead of a row (as in the seed)",
        {"separate_space_time": _svd(
            "    u, sv, v = np.linalg.svd(W - W.mean(), full_matrices=False)\n"
            "    return u[:, 0], v[:, 0]\n")},
        frozenset({SVD})),
    "svd_no_mean": Variant(
        "does not subtract the mean before the SVD",
        {"separate_space_time": _svd(
            "    u, sv, vt = np.linalg.svd(W, full_matrices=False)\n"
            "    return u[:, 0], vt[0]\n")},
        frozenset({SVD})),
    "svd_per_lag_mean": Variant(
        "subtracts one mean per lag (W - W.mean(axis=0)) instead of the mean of all entries",
        {"separate_space_time": _svd(
            "    u, sv, vt = np.linalg.svd(W - W.mean(axis=0), full_matrices=False)\n"
            "    return u[:, 0], vt[0]\n")},
        frozenset({SVD})),
    "svd_per_pixel_mean": Variant(
        "subtracts one mean per pixel (W - W.mean(axis=1, keepdims=True)) instead of the mean of all entries",
        {"separate_space_time": _svd(
            "    u, sv, vt = np.linalg.svd(W - W.mean(axis=1, keepdims=True), full_matrices=False)\n"
            "    return u[:, 0], vt[0]\n")},
        frozenset({SVD})),
    "lasso_reversed_lag": Variant(
        "pairs the counts c[:n - k] with the later frames s[k:] (the lag the wrong way round)",
        {"fit_lasso_lags": _lasso(
            "    n = len(c)\n"
            "    return np.column_stack([Lasso(alpha=alpha).fit(s[k:], c[:n - k]).coef_ for k in lags])\n")},
        frozenset({LASSO})),
}
