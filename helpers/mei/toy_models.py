"""Toy models with known most exciting inputs, for testing MEI code.

A test can build one in the grader and the same model in the student's
kernel from its ``__bridge_recipe__`` (the module, class and arguments that
rebuild it), so that no model object has to cross between processes.
"""

import numpy as np
import torch
from torch import nn

from helpers.validation import check_array, check_int


class TemplateModel(nn.Module):
    """Neuron ``k`` responds ``softplus(sum(templates[k] * image))``.

    Its most exciting input at a fixed contrast is the template itself.

    Parameters
    ----------
    templates : array_like, shape (n_neurons, height, width)

    Examples
    --------
    >>> model = TemplateModel(np.ones((2, 3, 4)))
    >>> tuple(model(torch.zeros(5, 1, 3, 4)).shape)
    (5, 2)
    """

    def __init__(self, templates):
        super().__init__()
        templates = check_array(templates, "templates", ndim=3)
        self._templates = templates
        self.templates = torch.as_tensor(templates, dtype=torch.float32)

    def forward(self, images):
        return nn.functional.softplus((images[:, 0, None] * self.templates[None]).sum(dim=(-2, -1)))

    @property
    def __bridge_recipe__(self):
        return ("helpers.mei.toy_models", "TemplateModel", (self._templates,), {})


class ConstantModel(nn.Module):
    """Every neuron responds 1 to every image: the gradient is zero everywhere.

    Parameters
    ----------
    n_neurons : int, default 1

    Examples
    --------
    >>> ConstantModel(3)(torch.zeros(2, 1, 4, 4)).tolist()
    [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    """

    def __init__(self, n_neurons=1):
        super().__init__()
        self.n_neurons = check_int(n_neurons, "n_neurons", minimum=1)

    def forward(self, images):
        # multiplied by 0 rather than a constant, so the output still depends on the image
        return images.sum(dim=(1, 2, 3))[:, None].repeat(1, self.n_neurons) * 0.0 + 1.0

    @property
    def __bridge_recipe__(self):
        return ("helpers.mei.toy_models", "ConstantModel", (self.n_neurons,), {})
