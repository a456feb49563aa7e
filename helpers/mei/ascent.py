"""Many MEIs at once: the notebook's gradient ascent on a batch of images.

Computing MEIs one at a time costs one forward and one backward pass of the
network per image and step, each on a batch of one image, where a small CNN
spends most of its time on overhead. :func:`batched_meis` runs the same recipe
as the notebook's ``generate_mei`` for every (neuron, start) pair together:
a batch of images, each scored by *its own* neuron, one forward and one
backward pass per step for all of them. Every image gets exactly the steps
``generate_mei`` would give it (its own white-noise start, smoothed gradient
divided by its own standard deviation, projection on the contrast
constraint), so the results agree with ``generate_mei`` image by image up to
float32 rounding.

Nothing here solves an exercise. The smoothing is the student's
``fft_smooth``, passed in; and ``batched_meis`` is not a stand-in for
``generate_mei``: it *needs* a working ``generate_mei``, checks that its own
first steps agree with it, and falls back to calling it image by image when
they do not.
"""

import numpy as np
import torch

from helpers.validation import check_callable, check_image_shape, check_int, check_number

__all__ = ["batched_meis"]


def _project(images, contrast):
    """Zero mean and pixel sd ``contrast`` for every image of a (n, h, w) stack (a flat image stays flat)."""
    images = images - images.mean(axis=(1, 2), keepdims=True)
    sd = images.std(axis=(1, 2), keepdims=True)
    return np.where(sd > 0, images * (contrast / np.where(sd > 0, sd, 1.0)), images)


def _ascend(model, fft_smooth, units, random_states, n_steps, image_shape, contrast, cutoff, step_size):
    """Gradient ascent for image ``i`` on neuron ``units[i]`` from start ``random_states[i]``, all at once."""
    images = _project(np.array([np.random.RandomState(int(seed)).standard_normal(image_shape)
                                for seed in random_states]), contrast)
    rows = torch.arange(len(images))
    columns = torch.as_tensor(np.asarray(units, dtype=np.int64))
    for _ in range(n_steps):
        pixels = torch.tensor(images[:, None], dtype=torch.float32, requires_grad=True)
        # each image's response to its own neuron: the images do not interact in the model, so the
        # gradient of the sum with respect to image i is the gradient of image i's own response
        if hasattr(model, "paired_responses"):          # the course's CNN: only each image's own readout
            responses = model.paired_responses(pixels, columns)
        else:
            responses = model(pixels)[rows, columns]
        (gradients,) = torch.autograd.grad(responses.sum(), pixels)
        smoothed = np.array([np.asarray(fft_smooth(gradient, cutoff), dtype=float)
                             for gradient in gradients[:, 0].numpy()])
        sd = smoothed.std(axis=(1, 2), keepdims=True)
        moved = _project(images + step_size * smoothed / np.where(sd > 0, sd, 1.0), contrast)
        images = np.where(sd > 0, moved, images)              # a flat gradient: the step is skipped
    return images


def _responses(model, images, units):
    with torch.no_grad():
        output = model(torch.as_tensor(images[:, None], dtype=torch.float32))
    return output[torch.arange(len(images)), torch.as_tensor(np.asarray(units, dtype=np.int64))].double().numpy()


def batched_meis(generate_mei, fft_smooth, model, units, n_starts=3, n_steps=120, image_shape=(36, 64),
                 contrast=0.1, cutoff=0.2, step_size=0.01, check_steps=5, verbose=True):
    """MEIs of many neurons from several white-noise starts, all optimised in one batch.

    For every unit and every start ``random_state = 0, ..., n_starts - 1``
    this gives the image ``generate_mei(model, unit, n_steps, image_shape,
    contrast, cutoff, step_size, random_state)`` would give, with one forward
    and one backward pass of ``model`` per step for all of them. ``model`` must
    treat the images of a batch independently (no batch normalisation in
    training mode), as the course's CNN in eval mode does.

    Before the batch, ``generate_mei`` runs ``check_steps`` steps on the first
    unit, and the batch's recipe runs the same steps: if the two images
    differ by more than ``1e-3 * contrast`` in some pixel, your
    ``generate_mei`` does something else than the recipe of the notebook, a
    note is printed and every MEI is computed with your ``generate_mei``, one
    at a time (slower, but yours).

    Parameters
    ----------
    generate_mei : callable
        Your ``generate_mei(model, neuron, n_steps, image_shape, contrast, cutoff, step_size, random_state)``.
    fft_smooth : callable
        Your ``fft_smooth(gradient, cutoff)``: every gradient of the batch goes through it.
    model : torch.nn.Module
        Maps ``(batch, 1, height, width)`` to ``(batch, n_neurons)``.
    units : sequence of int
        The model outputs to optimise.
    n_starts : int, default 3
    n_steps, image_shape, contrast, cutoff, step_size
        As for ``generate_mei``.
    check_steps : int, default 5
        Steps of the comparison with ``generate_mei`` (at least 1: the comparison is not optional).
    verbose : bool, default True
        Print the result of the comparison.

    Returns
    -------
    images : ndarray, shape (len(units), n_starts, height, width)
    responses : ndarray, shape (len(units), n_starts)
        The model's response of each unit to each of its images.

    Examples
    --------
    >>> from helpers.mei.toy_models import ConstantModel, TemplateModel
    >>> def fft_smooth(gradient, cutoff):                 # stands in for yours: no smoothing
    ...     return np.asarray(gradient, dtype=float)
    >>> def generate_mei(model, neuron, n_steps, image_shape, contrast, cutoff, step_size, random_state):
    ...     start = np.random.RandomState(random_state).standard_normal(image_shape)   # no step at all
    ...     return (start - start.mean()) * contrast / start.std()
    >>> flat = ConstantModel(2)               # zero gradient: every MEI is its projected start
    >>> images, responses = batched_meis(generate_mei, fft_smooth, flat, [1, 0], n_starts=2, n_steps=20,
    ...                                  image_shape=(6, 8))
    generate_mei and the batched ascent agree (largest pixel difference after 5 steps: below 1e-06)
    >>> images.shape, responses.shape
    ((2, 2, 6, 8), (2, 2))
    >>> model = TemplateModel(np.random.RandomState(0).normal(size=(2, 6, 8)))
    >>> images, _ = batched_meis(generate_mei, fft_smooth, model, [1, 0], n_starts=2, n_steps=20, image_shape=(6, 8))
    Your generate_mei and the batched ascent differ (largest pixel difference after 5 steps: 0.1): computing every MEI with your generate_mei, one at a time (slower).
    >>> np.allclose(images[0, 1], generate_mei(model, 1, 20, (6, 8), 0.1, 0.2, 0.01, random_state=1))
    True
    """
    check_callable(generate_mei, "generate_mei",
                   "(model, neuron, n_steps, image_shape, contrast, cutoff, step_size, random_state) -> image")
    check_callable(fft_smooth, "fft_smooth", "(gradient, cutoff) -> smoothed gradient, like your fft_smooth")
    units = [check_int(unit, "units", minimum=0) for unit in np.ravel(units)]
    if not units:
        raise ValueError("units must hold at least one model output")
    n_starts = check_int(n_starts, "n_starts", minimum=1)
    n_steps = check_int(n_steps, "n_steps", minimum=0)
    check_steps = check_int(check_steps, "check_steps", minimum=1)
    image_shape = check_image_shape(image_shape)
    contrast = check_number(contrast, "contrast", positive=True)
    cutoff = check_number(cutoff, "cutoff", positive=True)
    step_size = check_number(step_size, "step_size", positive=True)
    settings = dict(image_shape=image_shape, contrast=contrast, cutoff=cutoff, step_size=step_size)

    yours = np.asarray(generate_mei(model, units[0], check_steps, random_state=0, **settings), dtype=float)
    ours = _ascend(model, fft_smooth, units[:1], [0], check_steps, **settings)[0]
    difference = np.abs(yours - ours).max() if yours.shape == ours.shape else np.inf
    if not difference <= 1e-3 * contrast:
        if verbose:
            print(f"Your generate_mei and the batched ascent differ (largest pixel difference after "
                  f"{check_steps} steps: {difference:.1g}): computing every MEI with your generate_mei, "
                  "one at a time (slower).")
        images = np.array([[np.asarray(generate_mei(model, unit, n_steps, random_state=start, **settings),
                                       dtype=float) for start in range(n_starts)] for unit in units])
        flat_units = np.repeat(units, n_starts)
        responses = _responses(model, images.reshape(-1, *image_shape), flat_units)
        return images, responses.reshape(len(units), n_starts)
    if verbose:
        size = "below 1e-06" if difference < 1e-6 else f"{difference:.1g}"
        print(f"generate_mei and the batched ascent agree (largest pixel difference after {check_steps} "
              f"steps: {size})")

    flat_units = np.repeat(units, n_starts)
    starts = np.tile(np.arange(n_starts), len(units))
    images = _ascend(model, fft_smooth, flat_units, starts, n_steps, **settings)
    responses = _responses(model, images, flat_units)
    return images.reshape(len(units), n_starts, *image_shape), responses.reshape(len(units), n_starts)
