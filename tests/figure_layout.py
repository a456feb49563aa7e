"""Checks of what a drawn figure looks like: texts that overlap, ticks that are not whole numbers.

Used by the helper tests of several tutorials; every check draws the figure
first (``fig.canvas.draw()``) so the positions are the ones a student sees.
"""

import itertools

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text


def _draw(fig):
    """Draw ``fig`` as the inline backend does; a closed figure (a demo's) gets an Agg canvas first."""
    if not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def suptitle(fig):
    """The figure's suptitle as a Text artist (matplotlib only exposes its string), or None."""
    text = fig.get_suptitle()
    if not text:
        return None
    return next((artist for artist in fig.findobj(Text, include_self=False)
                 if artist.figure is fig and artist.axes is None and artist.get_text() == text), None)


def visible_texts(fig):
    """(name, Text) of every non-empty drawn text: suptitle, titles, axis labels, tick labels."""
    _draw(fig)
    found = []
    if suptitle(fig) is not None:
        found.append(("suptitle", suptitle(fig)))
    for number, ax in enumerate(fig.axes):
        found += [(f"axes {number} title", ax.title), (f"axes {number} xlabel", ax.xaxis.label),
                  (f"axes {number} ylabel", ax.yaxis.label)]
        for axis_name, axis, index in (("x", ax.xaxis, 0), ("y", ax.yaxis, 1)):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_ticklabels() + axis.get_ticklabels(minor=True):
                if low <= tick.get_position()[index] <= high:   # ticks outside the view are not drawn
                    found.append((f"axes {number} {axis_name}tick {tick.get_text()}", tick))
    return [(name, text) for name, text in found if text.get_visible() and text.get_text()]


def overlapping_texts(fig, margin=1.0):
    """Pairs of names of drawn texts whose boxes overlap by more than ``margin`` pixels."""
    renderer = _draw(fig)
    boxes = [(name, text.get_window_extent(renderer).padded(-margin)) for name, text in visible_texts(fig)]
    return [(a, b) for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2) if box_a.overlaps(box_b)]


def tick_labels(ax, axis="y"):
    """The drawn tick labels (major and minor) of one axis, as text."""
    return [name.split("tick ", 1)[1] for name, _ in visible_texts(ax.figure)
            if name.startswith(f"axes {ax.figure.axes.index(ax)} {axis}tick ")]


def title_gap(fig, ax):
    """Inches between the bottom of the suptitle and the top of ``ax``'s title."""
    renderer = _draw(fig)
    return (suptitle(fig).get_window_extent(renderer).y0 - ax.title.get_window_extent(renderer).y1) / fig.dpi
