"""Interactive demo of the correlated-regressors tutorial (returns a widget)."""

import ipywidgets as widgets
import numpy as np

from helpers.regressors.design import design_matrix, tr_times
from helpers.regressors.plotting import plot_estimate_scatter, plot_regressors, plot_sd_vs_shift
from helpers.regressors.simulation import shift_experiment, shifted_regressors
from helpers.validation import check_array, check_callable
from helpers.widgets import figure_demo


def shift_demo(hrf, fit, predicted_sd, times=None, n_samples=10_000, random_state=0,
               min_shift=0.5, max_shift=12.0, step=0.5, value=2.0):
    """Slider over the delay between two events: variance inflation, live.

    Left: the two mean-centered regressors. Middle: the simulated estimates
    of both HRF parameters against each other. Right: the predicted sd of
    the first parameter for every shift, with the simulated one. The title
    gives predicted and simulated sds of both estimates and their
    correlation.

    Parameters
    ----------
    hrf, fit, predicted_sd : callable
        Your ``spm_hrf``, ``fit_betas`` and ``predicted_sd``.
    times : array_like, optional
        Scan times; default 0 to 28 s every 2 s.
    n_samples : int, default 10,000
        Simulated data vectors per setting (one fit call).
    random_state : int, default 0
        The same noise is used for every shift.
    min_shift, max_shift, step, value : float
        Range, step and start of the slider (seconds).

    Returns
    -------
    ipywidgets.VBox
        See :func:`helpers.widgets.figure_demo`; also ``shifts`` and
        ``predicted_curve``, the predicted sd of the first parameter for every
        shift of the slider.

    Examples
    --------
    >>> import numpy as np
    >>> def hrf(t):                               # a stand-in HRF: a bump 5 s after the event
    ...     return np.exp(-0.5 * ((np.asarray(t) - 5.0) / 2.0) ** 2)
    >>> def fit(X, Y):                            # stands in for your fit_betas
    ...     return np.linalg.lstsq(X, Y, rcond=None)[0]
    >>> def predicted_sd(X, contrast):            # stands in for your predicted_sd
    ...     contrast = np.asarray(contrast, dtype=float)
    ...     return float(np.sqrt(contrast @ np.linalg.inv(X.T @ X) @ contrast))
    >>> demo = shift_demo(hrf, fit, predicted_sd, n_samples=500, max_shift=4.0, step=1.0)
    >>> demo.shifts
    array([0.5, 1.5, 2.5, 3.5])
    >>> demo.figure.get_suptitle()[:13]
    'shift 2 s: sd'
    """
    check_callable(hrf, "hrf", "hrf(times) -> values, like your spm_hrf")
    check_callable(fit, "fit", "fit(X, Y) -> parameters, like your fit_betas")
    check_callable(predicted_sd, "predicted_sd", "predicted_sd(X, contrast) -> float, like your predicted_sd")
    times = tr_times() if times is None else check_array(times, "times", ndim=1)
    if not 0 < min_shift <= value <= max_shift:
        raise ValueError(f"need 0 < min_shift <= value <= max_shift, got {min_shift}, {value}, {max_shift}")
    shifts = np.arange(min_shift, max_shift + step / 2, step)
    curve = []
    for s in shifts:
        X = design_matrix(*shifted_regressors(hrf, times, s))
        curve.append(float(np.squeeze(predicted_sd(X, [1.0, 0.0, 0.0]))))

    def draw(fig, axes, shift):
        result = shift_experiment(shift, hrf, fit, predicted_sd, times=times,
                                  n_samples=n_samples, random_state=random_state)
        plot_regressors(times, [result["first"], result["second"]],
                        labels=["event at 0 s", f"event at {shift:g} s"], ax=axes[0, 0])
        axes[0, 0].set_title(f"regressor correlation {result['regressor_corr']:.3f}")
        plot_estimate_scatter(result["B"][0], result["B"][1], ax=axes[0, 1],
                              xlabel="estimate, first HRF", ylabel="estimate, second HRF")
        plot_sd_vs_shift(shifts, curve, simulated=(shift, result["simulated_sd"][0]),
                         ax=axes[0, 2], current=shift)
        axes[0, 2].set_title("sd of the first estimate")
        pred, sim = result["predicted_sd"], result["simulated_sd"]
        return (f"shift {shift:g} s: sd predicted {pred[0]:.3f} / {pred[1]:.3f}, "
                f"simulated {sim[0]:.3f} / {sim[1]:.3f} (first / second); "
                f"correlation of the estimates {result['estimate_corr']:.3f}")

    slider = widgets.FloatSlider(value=value, min=min_shift, max=max_shift, step=step,
                                 description="shift (s)", continuous_update=False)
    demo = figure_demo(draw, {"shift": slider}, figsize=(14, 4.5), ncols=3, layout="constrained")
    demo.shifts, demo.predicted_curve = shifts, np.array(curve)
    return demo
