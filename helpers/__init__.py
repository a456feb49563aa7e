"""Reusable science for the neural data analysis course.

Each tutorial has its own subpackage (``helpers.correlations``,
``helpers.lnp``, ``helpers.regressors``, ``helpers.mei``), split by concern
into simulation, estimation, plotting and widget modules. Nothing in here
solves a graded exercise: students may call every function freely.

Conventions shared by all four subpackages
------------------------------------------
Randomness
    Every function that draws random numbers takes a keyword argument
    ``random_state``: an int seed, a ``numpy.random.RandomState`` (shared
    between calls to continue one stream) or None (fresh, unreproducible
    draws); see :func:`helpers.validation.as_random_state`. The torch model
    of ``helpers.mei`` takes an int seed or a ``torch.Generator``. No helper
    seeds or draws from numpy's or torch's global generator.

    Two kinds of defaults, by what the function is for:

    * building blocks that draw noise (``lnp.binary_frames``,
      ``regressors.simulate_data``, ``mei.pink_noise``,
      ``mei.natural_images``, ``mei.Population.spike_counts``) default to
      ``random_state=None``: every call draws anew;
    * functions that produce a notebook's data, figures or printed numbers
      default to the seed that reproduces them: the original tutorial's seed
      where there was one (``correlations``: 42, the original
      ``np.random.seed(42)``; the recording of ``lnp``: ``lnp.data.SEED``,
      2024), 0 otherwise (``lnp.fit_quality``, ``regressors.shift_experiment``,
      ``mei.simulate_experiment``, ``mei.train_model``, ...). Each docstring
      gives its default.

Names
    ``image_shape`` is the ``(height, width)`` of an image or a receptive
    field; ``center`` (American spelling, also in ``sigma_center``) is a
    position. ``n_<things>`` counts things.

Errors
    A wrong *type* raises ``TypeError``, a wrong *value* ``ValueError``; the
    message names the argument and says what was expected
    (:mod:`helpers.validation`).

Correlations
    A correlation that is undefined (a constant input, fewer than two values)
    is NaN, returned without a warning (:mod:`helpers.stats`): a warning on
    stderr would cost a student the points of a test cell.

Figures
    A plotting function takes an optional ``ax`` (or ``axes`` for several
    panels) and draws there; without one it creates its own figure. It
    never draws into the current figure, never shows it, never changes
    matplotlib's backend or other global state, and returns what it drew on
    (:mod:`helpers.plotting`).

Examples
    Every public function's docstring has an Examples section; they run as
    doctests in the test suite (``python -m pytest --doctest-modules helpers``).
"""

__version__ = "0.1.0"
