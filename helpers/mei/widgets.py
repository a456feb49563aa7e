"""Interactive demo of the MEI assignment (returns a widget)."""

import ipywidgets as widgets
import numpy as np
import torch

from helpers.mei.plotting import show_image
from helpers.validation import check_array, check_callable, check_int
from helpers.widgets import figure_demo


def mei_step(generate_mei, model, neuron, n_steps, cutoff, contrast, image_shape, random_state=0):
    """One MEI and its model response: the computation behind :func:`mei_demo`.

    Parameters
    ----------
    generate_mei : callable
        Your ``generate_mei``.
    model : torch.nn.Module
    neuron : int
    n_steps : int
    cutoff, contrast : float
        Passed to ``generate_mei``.
    image_shape : (int, int)
    random_state : int, default 0
        The same start for every setting.

    Returns
    -------
    image : ndarray, shape image_shape
    response : float
        The model's response of ``neuron`` to it.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.mei.toy_models import TemplateModel
    >>> model = TemplateModel(np.ones((2, 8, 8)))
    >>> def generate_mei(model, neuron, n_steps, image_shape, contrast, cutoff, random_state=0):   # stands in for yours
    ...     return np.full(image_shape, contrast)
    >>> image, response = mei_step(generate_mei, model, 0, n_steps=10, cutoff=0.2, contrast=0.1, image_shape=(8, 8))
    >>> image.shape, round(response, 3)
    ((8, 8), 6.402)
    """
    check_callable(generate_mei, "generate_mei", "(model, neuron, n_steps, ...) -> image, like your generate_mei")
    image = np.asarray(generate_mei(model, neuron, n_steps, image_shape=image_shape, contrast=contrast,
                                    cutoff=cutoff, random_state=random_state), dtype=float)
    with torch.no_grad():
        response = float(model(torch.as_tensor(image[None, None], dtype=torch.float32))[0, neuron])
    return image, response


def mei_demo(generate_mei, model, units, labels, true_fields, image_shape, true_rates=None):
    """Pick a neuron, set steps, smoothing and contrast, and watch its MEI.

    Parameters
    ----------
    generate_mei : callable
        Your ``generate_mei(model, neuron, n_steps, image_shape, contrast, cutoff, ..., random_state)``.
    model : torch.nn.Module
        The trained CNN.
    units : sequence of int
        Model outputs offered in the neuron picker.
    labels : sequence of str
        One label per unit (e.g. ``"neuron 12 (simple)"``).
    true_fields : array_like, shape (len(units), height, width)
        The true receptive field of each offered neuron, for comparison (for
        two-subunit cells both subunits: see ``Population.field_images``).
    image_shape : (int, int)
    true_rates : callable, optional
        ``true_rates(image) -> expected spike count of each offered neuron``.

    Returns
    -------
    ipywidgets.VBox
        See :func:`helpers.widgets.figure_demo`; a label between the controls
        and the figure (also ``.status``) reads "computing the MEI ..." while
        an MEI is computed, and the controls are disabled meanwhile. The
        sliders act when released (``continuous_update=False``), not at every
        position they pass.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.mei.toy_models import TemplateModel
    >>> model = TemplateModel(np.ones((2, 8, 8)))
    >>> def generate_mei(model, neuron, n_steps, image_shape, contrast, cutoff, random_state=0):   # stands in for yours
    ...     return np.full(image_shape, contrast)
    >>> demo = mei_demo(generate_mei, model, units=[0, 1], labels=["neuron 0", "neuron 1"],
    ...                 true_fields=np.zeros((2, 8, 8)), image_shape=(8, 8))
    >>> demo.figure.get_suptitle()
    'neuron 0: model response 6.40'
    >>> demo.status.value, demo.controls["n_steps"].disabled        # idle again after each drawing
    ('', False)
    """
    check_callable(generate_mei, "generate_mei", "(model, neuron, n_steps, ...) -> image, like your generate_mei")
    units = [check_int(u, "units", minimum=0) for u in units]
    true_fields = check_array(true_fields, "true_fields", ndim=3)
    if not units:
        raise ValueError("units must hold at least one model output")
    if len(labels) != len(units) or len(true_fields) != len(units):
        raise ValueError(f"labels ({len(labels)}) and true_fields ({len(true_fields)}) need one entry per unit "
                         f"({len(units)})")

    # While an MEI is computed (seconds), the label says so and the controls are disabled: the
    # browser then ignores further arrow keys instead of queuing one full recompute per key.
    status = widgets.Label(value="")

    def draw(fig, axes, choice, n_steps, cutoff, contrast):
        status.value = f"computing the MEI ({n_steps} steps)..."
        for control in controls.values():
            control.disabled = True
        try:
            image, response = mei_step(generate_mei, model, units[choice], n_steps, cutoff, contrast, image_shape)
        finally:
            for control in controls.values():
                control.disabled = False
            status.value = ""
        show_image(image, ax=axes[0, 0], title=f"MEI after {n_steps} steps")
        show_image(true_fields[choice], ax=axes[0, 1], title="true receptive field (simulation)")
        truth = "" if true_rates is None else f", true neuron {float(np.ravel(true_rates(image))[choice]):.2f}"
        return f"{labels[choice]}: model response {response:.2f}{truth}"

    controls = {
        "choice": widgets.Dropdown(options=[(label, i) for i, label in enumerate(labels)], value=0,
                                   description="neuron"),
        "n_steps": widgets.IntSlider(value=50, min=0, max=300, step=10, description="steps",
                                     continuous_update=False),
        "cutoff": widgets.FloatLogSlider(value=0.2, base=10, min=-1.5, max=0, step=0.1, description="smoothing",
                                         continuous_update=False),
        "contrast": widgets.FloatSlider(value=0.1, min=0.02, max=0.3, step=0.02, description="contrast",
                                        continuous_update=False),
    }
    box = figure_demo(draw, controls, figsize=(10, 3.2))
    *inputs, output = box.children
    box.children = (*inputs, status, output)
    box.status = status
    return box
