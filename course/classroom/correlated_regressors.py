"""Submissions for the correlated-regressors assignment: other correct answers and mistakes.

The mistakes are the slips the issue lists (HRF without undershoot, wrongly
normalized, with the wrong undershoot shape; a variance instead of a standard
deviation; a residual that is not orthogonal or has the wrong sign) and a
few more that students make with least squares.
"""

from course.classroom import Variant

HRF = "test_spm_hrf"
FIT = "test_fit_betas"
SD = "test_predicted_sd"
ORTH = "test_orthogonalize"


def _hrf(body):
    return "def spm_hrf(times):\n" + body


def _fit(body):
    return "def fit_betas(X, Y):\n" + body


def _sd(body):
    return "def predicted_sd(X, contrast):\n" + body


def _orth(body):
    return "def orthogonalize(y, X):\n" + body


def _hrf_with(combination, normalization="values / values.sum()"):
    """An HRF that masks t <= 0 like the reference but combines/normalizes differently."""
    return _hrf(
        "    times = np.asarray(times, dtype=float)\n"
        "    values = np.zeros(times.shape)\n"
        "    t = times[times > 0]\n"
        f"    values[times > 0] = {combination}\n"
        f"    return {normalization}\n")


VARIANTS = {
    # other correct implementations: full marks
    "by_hand_pinv_inv_qr": Variant(
        "gamma densities by hand; pinv fit; inverse of X'X; QR projection",
        {"spm_hrf": _hrf(
            "    from math import factorial\n"
            "    t = np.asarray(times, dtype=float)\n"
            "    safe = np.where(t > 0, t, 0.0)\n"
            "    peak = safe ** 5 * np.exp(-safe) / factorial(5)\n"
            "    undershoot = safe ** 11 * np.exp(-safe) / factorial(11)\n"
            "    values = np.where(t > 0, peak - 0.35 * undershoot, 0.0)\n"
            "    return values / np.sum(values)\n"),
         "fit_betas": _fit("    return np.linalg.pinv(X).dot(Y)\n"),
         "predicted_sd": _sd(
            "    c = np.asarray(contrast, dtype=float)[:, None]\n"
            "    return np.sqrt(c.T.dot(np.linalg.inv(X.T.dot(X))).dot(c))  # a 1 x 1 array\n"),
         "orthogonalize": _orth(
            "    q, r = np.linalg.qr(X)\n"
            "    beta = np.linalg.solve(r, q.T @ y)\n"
            "    return beta, y - q @ (q.T @ y)\n")},
        frozenset()),
    "loops_normal_equations": Variant(
        "HRF in a loop over times; normal equations; pinv(X) rows; pinv coefficients",
        {"spm_hrf": _hrf(
            "    from scipy.stats import gamma as g\n"
            "    values = []\n"
            "    for t in times:\n"
            "        values.append(g.pdf(t, 6) - 0.35 * g.pdf(t, 12) if t > 0 else 0.0)\n"
            "    values = np.array(values)\n"
            "    return values / values.sum()\n"),
         "fit_betas": _fit(
            "    return np.linalg.solve(X.T @ X, X.T @ Y)\n"),
         "predicted_sd": _sd(
            "    # the rows of pinv(X) map data to parameters: sd = |pinv(X)' c|\n"
            "    return np.linalg.norm(np.linalg.pinv(X).T @ contrast)\n"),
         "orthogonalize": _orth(
            "    beta = np.linalg.pinv(X) @ y\n"
            "    return beta, y - X.dot(beta)\n")},
        frozenset()),
    "column_loop_lstsq": Variant(
        "fits one data vector at a time with lstsq; solve for the variance",
        {"fit_betas": _fit(
            "    Y = np.asarray(Y, dtype=float)\n"
            "    if Y.ndim == 1:\n"
            "        return np.linalg.lstsq(X, Y, rcond=None)[0]\n"
            "    out = np.empty((X.shape[1], Y.shape[1]))\n"
            "    for j in range(Y.shape[1]):\n"
            "        out[:, j] = np.linalg.lstsq(X, Y[:, j], rcond=None)[0]\n"
            "    return out\n"),
         "predicted_sd": _sd(
            "    return np.sqrt(contrast @ np.linalg.solve(X.T @ X, contrast))\n")},
        frozenset()),
    # plausible mistakes: lose exactly the points of `fails`
    "hrf_no_undershoot": Variant(
        "HRF is the gamma(6) peak only",
        {"spm_hrf": _hrf_with("gamma.pdf(t, 6)")},
        frozenset({HRF})),
    "hrf_not_normalized": Variant(
        "HRF not scaled to sum 1",
        {"spm_hrf": _hrf_with("gamma.pdf(t, 6) - 0.35 * gamma.pdf(t, 12)", "values")},
        frozenset({HRF})),
    "hrf_normalized_by_max": Variant(
        "HRF divided by its maximum instead of its sum",
        {"spm_hrf": _hrf_with("gamma.pdf(t, 6) - 0.35 * gamma.pdf(t, 12)", "values / values.max()")},
        frozenset({HRF})),
    "hrf_wrong_undershoot_shape": Variant(
        "undershoot from a gamma(16) density instead of gamma(12)",
        {"spm_hrf": _hrf_with("gamma.pdf(t, 6) - 0.35 * gamma.pdf(t, 16)")},
        frozenset({HRF})),
    "hrf_wrong_undershoot_scale": Variant(
        "undershoot gamma(12) with scale 2 (a rate/scale mix-up)",
        {"spm_hrf": _hrf_with("gamma.pdf(t, 6) - 0.35 * gamma.pdf(t, 12, scale=2)")},
        frozenset({HRF})),
    "fit_without_inverse": Variant(
        "parameters as X' Y (forgets the inverse of X'X)",
        {"fit_betas": _fit("    return X.T @ Y\n")},
        frozenset({FIT})),
    "fit_transposed": Variant(
        "returns one row (not one column) of parameters per data vector",
        {"fit_betas": _fit("    return np.linalg.lstsq(X, Y, rcond=None)[0].T\n")},
        frozenset({FIT})),
    "sd_missing_sqrt": Variant(
        "returns the variance c' (X'X)^+ c, not its square root",
        {"predicted_sd": _sd("    return contrast @ np.linalg.pinv(X.T @ X) @ contrast\n")},
        frozenset({SD})),
    "sd_without_inverse": Variant(
        "uses X'X instead of its (pseudo-)inverse",
        {"predicted_sd": _sd("    return np.sqrt(contrast @ (X.T @ X) @ contrast)\n")},
        frozenset({SD})),
    "sd_ignores_covariance": Variant(
        "uses only the diagonal of (X'X)^+ (right for one parameter, wrong for differences)",
        {"predicted_sd": _sd(
            "    variances = np.diag(np.linalg.pinv(X.T @ X))\n"
            "    return np.sqrt(np.sum(np.asarray(contrast) ** 2 * variances))\n")},
        frozenset({SD})),
    "orth_wrong_sign": Variant(
        "returns X beta - y (orthogonal, but does not add back up to y)",
        {"orthogonalize": _orth(
            "    beta = np.linalg.pinv(X) @ y\n"
            "    return beta, X @ beta - y\n")},
        frozenset({ORTH})),
    "orth_correlation_coefficient": Variant(
        "subtracts the correlation times X instead of the regression coefficient (not orthogonal)",
        {"orthogonalize": _orth(
            "    beta = np.array([np.corrcoef(y, x)[0, 1] for x in X.T])\n"
            "    return beta, y - X @ beta\n")},
        frozenset({ORTH})),
    "orth_one_column_at_a_time": Variant(
        "projects on each column separately (right for one column, not orthogonal for correlated columns)",
        {"orthogonalize": _orth(
            "    beta = np.array([x @ y / (x @ x) for x in X.T])\n"
            "    return beta, y - X @ beta\n")},
        frozenset({ORTH})),
    "orth_returns_projection": Variant(
        "returns the fitted part X beta instead of the residual",
        {"orthogonalize": _orth(
            "    beta = np.linalg.lstsq(X, y, rcond=None)[0]\n"
            "    return beta, X @ beta\n")},
        frozenset({ORTH})),
}
