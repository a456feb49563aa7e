"""A small building block for the interactive demos of every tutorial.

A demo is a figure plus a few controls: moving a control redraws the figure.
:func:`figure_demo` wires that up once, so each tutorial only writes the
drawing function, and tests can drive the same callback a student's slider
triggers (set ``control.value`` and inspect ``demo.figure``).
"""

import html

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython import get_ipython
from IPython.display import clear_output, display

from helpers.validation import check_callable


#: Shown beside every demo, and instead of it where no live widget can be
#: shown: widgets live in the running kernel and are not saved with the
#: notebook, so a reopened notebook shows "Error displaying widget: model not
#: found" until the cell is run again.
RERUN_HINT = ("Interactive demo: run this cell to use it. Widgets are not saved with the notebook: "
              "after reopening it (\"Error displaying widget: model not found\"), run the cell again.")

#: The text a saved notebook keeps in place of the widget itself.
SAVED_PLACEHOLDER = "[interactive demo: run this cell to show it]"


class DemoBox(widgets.VBox):
    """The box :func:`figure_demo` returns: a VBox displayed with :data:`RERUN_HINT`.

    Displayed in a notebook, it writes the hint as a plain output of its own
    above the widget (JupyterLab shows that output even when the widget's
    model is gone). Its own text representation, saved in the notebook for
    front ends without widgets (nbviewer, exported HTML), is
    :data:`SAVED_PLACEHOLDER` instead of ``DemoBox(children=(...))``.

    Examples
    --------
    >>> box = DemoBox([widgets.IntSlider()])
    >>> box._repr_mimebundle_()["text/plain"]
    '[interactive demo: run this cell to show it]'
    """

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = SAVED_PLACEHOLDER
        return bundle

    def _ipython_display_(self):
        display({"text/plain": RERUN_HINT,
                 "text/html": f"<p style='font-size: small; color: #555'><em>{html.escape(RERUN_HINT)}</em></p>"},
                raw=True)
        display(self._repr_mimebundle_(), raw=True)


def figure_demo(draw, controls, figsize=(10, 4), ncols=2, nrows=1, layout=None):
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
    layout : str, optional
        Layout engine of the figure: ``"constrained"`` keeps titles, labels
        and colorbars apart, ``"compressed"`` also packs image panels without
        gaps; matplotlib's default (fixed margins) if None.

    Returns
    -------
    DemoBox
        An ``ipywidgets.VBox``: the controls above an output area. Extra
        attributes: ``figure`` (the matplotlib figure), ``controls`` (the
        dict) and ``update()`` (redraw now). The first drawing happens before
        it is returned. Outside a notebook nothing is displayed: the figure is
        only redrawn. Displayed in a notebook, it is preceded by a one-line
        hint, :data:`RERUN_HINT`, an output that a saved notebook keeps.

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
    >>> demo._repr_mimebundle_()["text/plain"]     # what a saved notebook keeps of the widget
    '[interactive demo: run this cell to show it]'
    """
    check_callable(draw, "draw", "draw(fig, axes, **values)")
    if not controls:
        raise ValueError("controls must hold at least one widget")
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False, layout=layout)
    # Closing keeps the inline backend from showing an extra static copy;
    # the figure is still drawn into the output area on every update.
    plt.close(fig)
    output = widgets.Output()

    def update(change=None):
        for ax in fig.axes[len(axes.flat):]:
            # Colorbars from the previous drawing: Colorbar.remove also frees
            # the room a layout engine keeps for them beside their axes.
            colorbar = getattr(ax, "_colorbar", None)
            colorbar.remove() if colorbar is not None else ax.remove()
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
    box = DemoBox([*controls.values(), output])
    box.figure = fig
    box.controls = controls
    box.update = update
    update()
    return box
