"""helpers.widgets: what a demo leaves in a saved notebook, where its widget cannot be shown."""

import ipywidgets as widgets
import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPO
from helpers.widgets import RERUN_HINT, SAVED_PLACEHOLDER, DemoBox, figure_demo


def _draw(fig, axes, n):
    axes[0, 0].plot(range(n))
    return f"{n} points"


def test_the_demo_box_is_a_vbox_whose_saved_text_says_to_run_the_cell():
    demo = figure_demo(_draw, {"n": widgets.IntSlider(value=2, min=1, max=4)}, ncols=1)
    assert isinstance(demo, DemoBox) and isinstance(demo, widgets.VBox)
    bundle = demo._repr_mimebundle_()
    assert bundle["text/plain"] == SAVED_PLACEHOLDER and "run this cell" in SAVED_PLACEHOLDER
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == demo.model_id
    assert "run this cell" in RERUN_HINT and "model not found" in RERUN_HINT


def test_a_saved_notebook_keeps_the_hint_above_every_demo(tmp_path):
    # What a student's notebook holds after Run All and Save: the widget state is
    # not saved, so JupyterLab shows "model not found" for the widget output;
    # the hint is a plain output of its own above it.
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import ipywidgets as widgets\n"
        "from IPython.display import display\n"
        "from helpers.widgets import figure_demo\n"
        "def draw(fig, axes, n):\n"
        "    axes[0, 0].plot(range(n))\n"
        "display(figure_demo(draw, {'n': widgets.IntSlider(value=2, min=1, max=4)}, ncols=1))\n")])
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(REPO)}}).execute()
    outputs = [o for o in notebook.cells[0].outputs if o.output_type == "display_data"]
    assert [o.output_type for o in notebook.cells[0].outputs if o.output_type == "error"] == []
    hint, widget = outputs[0], outputs[-1]
    assert hint.data["text/plain"] == RERUN_HINT and "run this cell" in hint.data["text/html"]
    assert "application/vnd.jupyter.widget-view+json" not in hint.data
    assert "application/vnd.jupyter.widget-view+json" in widget.data
    assert widget.data["text/plain"] == SAVED_PLACEHOLDER
    nbformat.validate(notebook)
