"""A small building block for the interactive demos of every tutorial.

A demo is a figure plus a few controls: moving a control redraws the figure.
:func:`figure_demo` wires that up once, so each tutorial only writes the
drawing function, and tests can drive the same callback a student's slider
triggers (set ``control.value`` and inspect ``demo.figure``).
"""

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython import get_ipython
from IPython.display import clear_output, display

from helpers.validation import check_callable


def figure_demo(draw, controls, figsize=(10, 4), ncols=2, nrows=1):
    """Build an interactive figure driven by ipywidgets controls.

    Parameters
    ----------
    draw : callable
        ``draw(fig, axes, **values)`` clears and redraws the axes for the
        current control values and may return a title for the figure.
    controls : dict of str to ipywidgets.ValueWidget
        The controls, keyed by the keyword argument of ``draw`` they set.
    figsize : tuple of float
        Figure size in inches.
    nrows, ncols : int
        Layout of the axes grid passed to ``draw``.

    Returns
    -------
    ipywidgets.VBox
        The controls above an output area. Extra attributes: ``figure`` (the
        matplotlib figure), ``controls`` (the dict) and ``update()`` (redraw
        now). The first drawing happens before it is returned. Outside a
        notebook nothing is displayed: the figure is only redrawn.

    Examples
    --------
    >>> import ipywidgets as widgets
    >>> def draw(fig, axes, n):
    ...     axes[0, 0].plot(range(n))
    ...     return f"{n} points"
    >>> demo = figure_demo(draw, {"n": widgets.IntSlider(value=3, min=1, max=5)}, ncols=1)
    >>> demo.figure.get_suptitle()
    '3 points'
    >>> demo.controls["n"].value = 5          # what moving the slider does
    >>> demo.figure.get_suptitle()
    '5 points'
    """
    check_callable(draw, "draw", "draw(fig, axes, **values)")
    if not controls:
        raise ValueError("controls must hold at least one widget")
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False)
    # Closing keeps the inline backend from showing an extra static copy;
    # the figure is still drawn into the output area on every update.
    plt.close(fig)
    output = widgets.Output()

    def update(change=None):
        for ax in fig.axes[len(axes.flat):]:
            ax.remove()  # colorbars from the previous drawing
        for ax in axes.flat:
            ax.clear()
        title = draw(fig, axes, **{name: control.value for name, control in controls.items()})
        fig.suptitle(title if title is not None else "")
        if get_ipython() is None:
            return  # not in a notebook (a script, a test): nothing to display
        with output:
            clear_output(wait=True)
            display(fig)

    for control in controls.values():
        control.observe(update, names="value")
    box = widgets.VBox([*controls.values(), output])
    box.figure = fig
    box.controls = controls
    box.update = update
    update()
    return box
