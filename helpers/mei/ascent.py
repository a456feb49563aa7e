"""Many MEIs at once: your ``generate_mei``, with the network's passes shared between calls.

Computing MEIs one at a time costs one forward and one backward pass of the
network per image and step, each on a batch of *one* image, where a small CNN
spends most of its time on overhead. :func:`batched_meis` runs your
``generate_mei`` once per (neuron, start), all calls at the same time, each in
its own thread, and hands every call a stand-in for the model. When every
running call has asked the model about its current image, the stand-in
evaluates all those images as one batch (one forward and one backward pass,
each image scored by its own call's neuron) and gives each call its response
and, through ``backward()``, the gradient of that response with respect to its
image.

Nothing of the MEI recipe lives here: the start, the smoothing, the step and
the projection are all your code, run as you wrote it. This module only shares
the network's passes among the calls, so each image is the one your
``generate_mei`` gives when called on its own, up to float32 rounding.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch

from helpers.validation import check_callable, check_image_shape, check_int, check_number

__all__ = ["batched_meis"]


class _GivenGradient(torch.autograd.Function):
    """``row`` as a function of ``pixels`` whose only gradient is ``gradient``, through column ``column``."""

    @staticmethod
    def forward(ctx, pixels, row, column, gradient):
        ctx.column = column
        ctx.save_for_backward(gradient)
        return row.clone()

    @staticmethod
    def backward(ctx, grad_output):
        (gradient,) = ctx.saved_tensors
        return grad_output[:, ctx.column].reshape(-1, 1, 1, 1) * gradient, None, None, None


class _SharedPasses:
    """The calls take turns; when all calls of a group have asked the model, one batch answers them.

    Exactly one call runs at any time, so the student's code never runs in two
    threads at once: a call passes the turn on when it asks the model or
    returns. The calls form two groups: while the network evaluates one
    group's batch (in a thread of its own, which torch lets run beside
    Python), the other group's calls take their steps, so on two cores the
    student's code and the network's passes overlap instead of adding up.
    """

    def __init__(self, model, n_calls, function, n_groups=2):
        self.model = model
        self.function = function            # runs call i in its thread
        self.turns = [threading.Event() for _ in range(n_calls)]
        self.round_done = threading.Event()
        self.groups = [group for group in (list(range(n_calls))[g::n_groups] for g in range(n_groups)) if group]
        self.round = []                     # the calls of the group that runs now
        self.asked = {}                     # call -> (image (1, height, width), neuron)
        self.answers = {}                   # call -> (response, gradient (1, height, width)) or (error, None)
        self.cancelled = False

    def run(self):
        """Run every call to its end, evaluating a group's batch whenever all its running calls wait."""
        threads = [threading.Thread(target=self._call, args=(index,), daemon=True)
                   for index in range(len(self.turns))]
        for thread in threads:
            thread.start()
        evaluations = [None] * len(self.groups)
        try:
            with ThreadPoolExecutor(max_workers=1) as network:
                while any(self.groups):
                    for g, group in enumerate(self.groups):
                        if not group:
                            continue
                        if evaluations[g] is not None:
                            self.answers.update(evaluations[g].result())
                        self.round = group
                        self.turns[group[0]].set()
                        self.round_done.wait()
                        self.round_done.clear()
                        asked = {index: self.asked.pop(index) for index in group if index in self.asked}
                        self.groups[g] = sorted(asked)
                        evaluations[g] = network.submit(self._evaluate, asked) if asked else None
        except BaseException:               # e.g. KeyboardInterrupt: the waiting calls stop
            self.cancelled = True
            for turn in self.turns:
                turn.set()
            raise
        for thread in threads:
            thread.join()

    def ask(self, index, image, neuron):
        """Call ``index`` waits for the batch with ``image``: its response and gradient."""
        self.asked[index] = (image, neuron)
        self._pass_turn(index)
        self.turns[index].wait()
        self.turns[index].clear()
        if self.cancelled:
            raise RuntimeError("batched_meis was interrupted")
        return self.answers.pop(index)

    def _call(self, index):
        self.turns[index].wait()
        self.turns[index].clear()
        try:
            if not self.cancelled:
                self.function(index)
        finally:
            self._pass_turn(index)

    def _pass_turn(self, index):
        later = self.round[self.round.index(index) + 1:]
        (self.turns[later[0]] if later else self.round_done).set()

    def _evaluate(self, asked):
        calls = list(asked)
        images = torch.stack([asked[index][0] for index in calls])
        neurons = torch.tensor([asked[index][1] for index in calls], dtype=torch.long)
        try:
            with torch.enable_grad():
                pixels = images.requires_grad_(True)
                if hasattr(self.model, "paired_responses"):    # the course's CNN: only each image's own readout
                    responses = self.model.paired_responses(pixels, neurons)
                else:
                    responses = self.model(pixels)[torch.arange(len(calls)), neurons]
                (gradients,) = torch.autograd.grad(responses.sum(), pixels)
            return dict(zip(calls, zip(responses.detach(), gradients)))
        except Exception as error:          # every waiting call raises the model's error
            return {index: (error, None) for index in calls}


class _BatchingModel:
    """What each call of ``generate_mei`` gets as its model.

    A ``(1, 1, height, width)`` image from one of the calls joins the next
    batch; the answer is a ``(1, n_outputs)`` tensor with the call's own
    neuron's response in its column (``nan`` elsewhere: the batch evaluates
    only that neuron) and that neuron's gradient behind ``backward()``.
    Anything else (another shape, a call from another thread) goes to the
    model itself, as do attributes (``model.eval()``, ``model.conv1``...).
    """

    def __init__(self, model, passes, image_shape, n_outputs):
        self._model = model
        self._passes = passes
        self._image_shape = tuple(image_shape)
        self._n_outputs = n_outputs
        self._thread = threading.local()    # which call runs in this thread

    def _run_call(self, index, neuron):
        self._thread.call = index, neuron

    def __call__(self, pixels):
        index, neuron = getattr(self._thread, "call", (None, None))
        if (index is None or not isinstance(pixels, torch.Tensor)
                or tuple(pixels.shape) != (1, 1, *self._image_shape)):
            return self._model(pixels)
        response, gradient = self._passes.ask(index, pixels.detach()[0].to(torch.float32), neuron)
        if isinstance(response, BaseException):
            raise response
        row = torch.full((1, self._n_outputs), float("nan"), dtype=pixels.dtype)
        row[0, neuron] = response
        if not (pixels.requires_grad and torch.is_grad_enabled()):
            return row
        return _GivenGradient.apply(pixels, row, neuron, gradient[None].to(pixels.dtype))

    def __getattr__(self, name):
        return getattr(self._model, name)


def _responses(model, images, units):
    with torch.no_grad():
        output = model(torch.as_tensor(images[:, None], dtype=torch.float32))
    return output[torch.arange(len(images)), torch.as_tensor(np.asarray(units, dtype=np.int64))].double().numpy()


def batched_meis(generate_mei, model, units, n_starts=3, n_steps=120, image_shape=(36, 64),
                 contrast=0.1, cutoff=0.2, step_size=0.01):
    """MEIs of many neurons from several white-noise starts, computed by your ``generate_mei`` together.

    For every unit and every start ``random_state = 0, ..., n_starts - 1``
    this calls ``generate_mei(model, unit, n_steps, image_shape, contrast,
    cutoff, step_size, random_state)``, all calls at the same time, so that
    their model evaluations are shared: one forward and one backward pass of
    ``model`` per step for all images. Each call's image is the one
    ``generate_mei`` gives when called on its own (up to float32 rounding),
    provided it evaluates ``model`` on tensors of shape ``(1, 1, height,
    width)`` and uses only its own neuron's response, as Exercise 4 asks.
    ``model`` must treat the images of a batch independently (no batch
    normalisation in training mode), as the course's CNN in eval mode does.

    Parameters
    ----------
    generate_mei : callable
        Your ``generate_mei(model, neuron, n_steps, image_shape, contrast, cutoff, step_size, random_state)``.
    model : torch.nn.Module
        Maps ``(batch, 1, height, width)`` to ``(batch, n_neurons)``.
    units : sequence of int
        The model outputs to optimise.
    n_starts : int, default 3
    n_steps, image_shape, contrast, cutoff, step_size
        Passed to ``generate_mei``.

    Returns
    -------
    images : ndarray, shape (len(units), n_starts, height, width)
    responses : ndarray, shape (len(units), n_starts)
        The model's response of each unit to each of its images.

    Raises
    ------
    Exception
        The first error raised by a call of ``generate_mei`` (e.g. the
        ``NotImplementedError`` of an unfinished exercise).

    Examples
    --------
    >>> from helpers.mei.toy_models import TemplateModel
    >>> def generate_mei(model, neuron, n_steps, image_shape, contrast, cutoff, step_size, random_state):
    ...     image = np.random.RandomState(random_state).standard_normal(image_shape)   # a toy recipe:
    ...     for _ in range(n_steps):                                             # plain gradient steps
    ...         pixels = torch.tensor(image[None, None], dtype=torch.float32, requires_grad=True)
    ...         model(pixels)[0, neuron].backward()
    ...         image = image + step_size * pixels.grad[0, 0].numpy()
    ...     return image
    >>> model = TemplateModel(np.random.RandomState(0).normal(size=(2, 6, 8)))
    >>> images, responses = batched_meis(generate_mei, model, [1, 0], n_starts=2, n_steps=20, image_shape=(6, 8))
    >>> images.shape, responses.shape
    ((2, 2, 6, 8), (2, 2))
    >>> alone = generate_mei(model, 0, 20, (6, 8), 0.1, 0.2, 0.01, random_state=1)
    >>> bool(np.abs(images[1, 1] - alone).max() < 1e-5)
    True
    """
    check_callable(generate_mei, "generate_mei",
                   "(model, neuron, n_steps, image_shape, contrast, cutoff, step_size, random_state) -> image")
    units = [check_int(unit, "units", minimum=0) for unit in np.ravel(units)]
    if not units:
        raise ValueError("units must hold at least one model output")
    n_starts = check_int(n_starts, "n_starts", minimum=1)
    n_steps = check_int(n_steps, "n_steps", minimum=0)
    image_shape = check_image_shape(image_shape)
    contrast = check_number(contrast, "contrast", positive=True)
    cutoff = check_number(cutoff, "cutoff", positive=True)
    step_size = check_number(step_size, "step_size", positive=True)
    with torch.no_grad():
        n_outputs = model(torch.zeros((1, 1, *image_shape))).shape[1]
    if max(units) >= n_outputs:
        raise ValueError(f"units must be outputs of the model (0 to {n_outputs - 1}), got {max(units)}")

    calls = [(unit, start) for unit in units for start in range(n_starts)]
    results, errors = [None] * len(calls), [None] * len(calls)

    def run(index):
        unit, start = calls[index]
        stand_in._run_call(index, unit)
        try:
            results[index] = np.asarray(generate_mei(stand_in, unit, n_steps, image_shape=image_shape,
                                                     contrast=contrast, cutoff=cutoff, step_size=step_size,
                                                     random_state=start), dtype=float)
        except BaseException as error:      # raised in the caller's thread below
            errors[index] = error

    passes = _SharedPasses(model, len(calls), run)
    stand_in = _BatchingModel(model, passes, image_shape, n_outputs)
    passes.run()
    for error in errors:
        if error is not None:
            raise error
    shapes = {result.shape for result in results}
    if shapes != {image_shape}:
        raise ValueError(f"generate_mei should return images of shape {image_shape}, got {sorted(shapes)}")
    images = np.array(results)
    responses = _responses(model, images, [unit for unit, _ in calls])
    return images.reshape(len(units), n_starts, *image_shape), responses.reshape(len(units), n_starts)
