"""A small convolutional model of the whole population, in PyTorch.

Architecture (after Klindt et al. 2017 and the seed project's core): a
two-layer convolutional core shared by all neurons, then for every neuron a
*factorized readout* (a spatial weight map times a weight per feature
channel), then ``softplus`` so predicted spike counts are positive.

Training is deterministic on the CPU: ``random_state`` fixes the initial
weights and the order of the mini-batches (through a private
``torch.Generator``: torch's global generator is neither seeded nor used), and
training runs on a single thread. On another
CPU the vectorized kernels may round differently, so the weights can differ in
the third decimal; the predictions agree to better than 1%.
"""

import contextlib
import io
import math
import numbers

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from helpers.validation import check_array, check_callable, check_image_shape, check_int, check_number, renamed_keyword


class PopulationCNN(nn.Module):
    """Shared convolutional core + one factorized readout per neuron.

    Parameters
    ----------
    n_neurons : int
        Number of output neurons.
    image_shape : (int, int)
        Height and width of the input images.
    channels : int, default 16
        Feature channels of each convolutional layer.
    random_state : int, torch.Generator or None, default None
        Initial weights of the convolutions. An int seeds a private
        ``torch.Generator`` (the weights are those ``torch.manual_seed`` with
        the same seed would give, without touching torch's global generator);
        None draws from torch's global generator, as every torch module does.

    Input ``(batch, 1, height, width)``, output ``(batch, n_neurons)``:
    predicted mean spike counts.

    Examples
    --------
    >>> model = PopulationCNN(3, (12, 16), channels=4, random_state=0)
    >>> tuple(model(torch.zeros(2, 1, 12, 16)).shape)
    (2, 3)
    """

    def __init__(self, n_neurons, image_shape=(36, 64), channels=16, random_state=None):
        super().__init__()
        self.n_neurons = check_int(n_neurons, "n_neurons", minimum=1)
        self.image_shape = check_image_shape(image_shape)
        self.channels = check_int(channels, "channels", minimum=1)
        generator = torch_generator(random_state)
        if generator is None:
            self.conv1 = nn.Conv2d(1, channels, 9, padding=4)
            self.conv2 = nn.Conv2d(channels, channels, 7, padding=3)
        else:
            # Built without the default initialization (which draws from the global
            # generator), then initialized the same way from the private generator.
            self.conv1 = nn.utils.skip_init(nn.Conv2d, 1, channels, 9, padding=4)
            self.conv2 = nn.utils.skip_init(nn.Conv2d, channels, channels, 7, padding=3)
            for conv in (self.conv1, self.conv2):
                _initialize_conv(conv, generator)
        height, width = (self.image_shape[0] + 1) // 2, (self.image_shape[1] + 1) // 2
        self.spatial = nn.Parameter(torch.full((n_neurons, height, width), 1.0 / (height * width)))
        self.features = nn.Parameter(torch.full((n_neurons, 2 * channels), 1.0 / channels))
        self.bias = nn.Parameter(torch.zeros(n_neurons))

    def core(self, images):
        """Feature maps of the shared core, shape (batch, 2 * channels, height / 2, width / 2)."""
        first = F.elu(self.conv1(images))
        first = F.avg_pool2d(first, 2, ceil_mode=True)
        second = F.elu(self.conv2(first))
        return torch.cat([first, second], dim=1)          # (batch, 2 * channels, h, w)

    def forward(self, images):
        """Predicted mean spike counts, shape (batch, n_neurons), for images (batch, 1, height, width)."""
        if images.ndim != 4 or images.shape[1] != 1 or tuple(images.shape[2:]) != self.image_shape:
            raise ValueError(f"images must have shape (batch, 1, {self.image_shape[0]}, {self.image_shape[1]}), "
                             f"got {tuple(images.shape)}")
        features = self.core(images)
        pooled = torch.einsum("bchw,nhw->bnc", features, self.spatial)
        return F.softplus((pooled * self.features).sum(-1) + self.bias)

    def paired_responses(self, images, neurons):
        """Response of neuron ``neurons[i]`` to image ``i`` for every ``i``: ``self(images)[i, neurons[i]]``.

        The same numbers as the forward pass up to float32 rounding, computed
        faster for MEIs of many neurons at once: only each image's own readout
        is evaluated, and the first convolution (one input channel) runs as a
        grouped convolution, which torch's CPU kernels do about twice as fast
        for a batch of images.

        Parameters
        ----------
        images : torch.Tensor, shape (batch, 1, height, width)
        neurons : torch.Tensor of int, shape (batch,)

        Returns
        -------
        torch.Tensor, shape (batch,)

        Examples
        --------
        >>> model = PopulationCNN(3, (12, 16), channels=4, random_state=0)
        >>> images = torch.randn(5, 1, 12, 16, generator=torch.Generator().manual_seed(0))
        >>> neurons = torch.tensor([2, 0, 1, 1, 2])
        >>> torch.allclose(model.paired_responses(images, neurons), model(images)[torch.arange(5), neurons], atol=1e-6)
        True
        """
        if images.ndim != 4 or images.shape[1] != 1 or tuple(images.shape[2:]) != self.image_shape:
            raise ValueError(f"images must have shape (batch, 1, {self.image_shape[0]}, {self.image_shape[1]}), "
                             f"got {tuple(images.shape)}")
        neurons = torch.as_tensor(neurons, dtype=torch.long)
        if neurons.shape != (len(images),):
            raise ValueError(f"neurons must hold one neuron per image ({len(images)}), got shape {tuple(neurons.shape)}")
        batch, (height, width) = len(images), self.image_shape
        # conv1 of every image as one grouped convolution: image i is input channel i of a single "image"
        first = F.conv2d(images.reshape(1, batch, height, width), self.conv1.weight.repeat(batch, 1, 1, 1),
                         self.conv1.bias.repeat(batch), padding=self.conv1.padding, groups=batch)
        first = F.avg_pool2d(F.elu(first.reshape(batch, self.channels, height, width)), 2, ceil_mode=True)
        features = torch.cat([first, F.elu(self.conv2(first))], dim=1)
        pooled = torch.einsum("bchw,bhw->bc", features, self.spatial[neurons])
        return F.softplus((pooled * self.features[neurons]).sum(-1) + self.bias[neurons])

    def regularizer(self):
        """L1 norm of the spatial readout maps, averaged over neurons (each neuron looks at a small region)."""
        return self.spatial.abs().sum(dim=(1, 2)).mean()


def torch_generator(random_state):
    """A ``torch.Generator`` for ``random_state``: None stays None, an int seeds a new one.

    Parameters
    ----------
    random_state : int, torch.Generator or None

    Returns
    -------
    torch.Generator or None

    Examples
    --------
    >>> torch_generator(None) is None
    True
    >>> torch.rand(2, generator=torch_generator(0)).tolist() == torch.rand(2, generator=torch_generator(0)).tolist()
    True
    """
    if random_state is None or isinstance(random_state, torch.Generator):
        return random_state
    if isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral):
        raise TypeError("random_state must be an int seed, a torch.Generator or None, "
                        f"got {type(random_state).__name__} {random_state!r}")
    if random_state < 0:
        raise ValueError(f"random_state must be a seed >= 0, got {random_state}")
    return torch.Generator().manual_seed(int(random_state))


def _initialize_conv(conv, generator):
    """``nn.Conv2d.reset_parameters``, drawing from ``generator``."""
    with torch.no_grad():
        nn.init.kaiming_uniform_(conv.weight, a=math.sqrt(5), generator=generator)
        fan_in, _ = nn.init._calculate_fan_in_and_fan_out(conv.weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        nn.init.uniform_(conv.bias, -bound, bound, generator=generator)


@contextlib.contextmanager
def single_thread():
    """Run torch on one thread inside the block (reproducible sums).

    Returns
    -------
    contextlib.AbstractContextManager
        Restores the previous number of threads on exit.

    Examples
    --------
    >>> with single_thread():
    ...     torch.get_num_threads()
    1
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def as_image_tensor(images):
    """(n, h, w) or (h, w) array -> float32 tensor (n, 1, h, w).

    Parameters
    ----------
    images : array_like, shape (n, height, width) or (height, width)

    Returns
    -------
    torch.Tensor, shape (n, 1, height, width), float32

    Examples
    --------
    >>> as_image_tensor(np.zeros((5, 12, 16))).shape
    torch.Size([5, 1, 12, 16])
    >>> as_image_tensor(np.zeros((12, 16))).dtype
    torch.float32
    """
    images = check_array(images, "images", ndim=(2, 3))
    if images.ndim == 2:
        images = images[None]
    return torch.as_tensor(images[:, None], dtype=torch.float32)


def predict(model, images, batch_size=512):
    """Model responses to images, as an ndarray of shape (n_images, n_neurons).

    Parameters
    ----------
    model : torch.nn.Module
        Put in eval mode.
    images : array_like, shape (n_images, height, width) or (height, width)
    batch_size : int, default 512

    Returns
    -------
    ndarray, shape (n_images, n_neurons)

    Examples
    --------
    >>> model = PopulationCNN(3, (12, 16), channels=4, random_state=0)
    >>> predict(model, np.zeros((5, 12, 16))).shape
    (5, 3)
    """
    tensor = as_image_tensor(images)
    model.eval()
    with torch.no_grad():
        return torch.cat([model(tensor[i:i + batch_size]) for i in range(0, len(tensor), batch_size)]).numpy()


def train_model(images, responses, loss_function, n_epochs=12, batch_size=64, learning_rate=3e-3,
                l1=0.02, random_state=0, channels=16, verbose=False, seed=None):
    """Fit a :class:`PopulationCNN` to spike counts, deterministically.

    Parameters
    ----------
    images : array_like, shape (n_images, height, width)
    responses : array_like, shape (n_neurons, n_images)
        Spike counts of the neurons to model.
    loss_function : callable
        ``loss_function(predicted, observed) -> scalar tensor``; the notebook
        passes your ``poisson_loss``.
    n_epochs, batch_size, learning_rate : training schedule (Adam).
    l1 : float
        Weight of the sparsity penalty on the spatial readout maps.
    random_state : int, default 0
        Seeds two private ``torch.Generator``: one for the initial weights,
        one for the batch order. Torch's global generator is left alone. The
        default gives the notebook's cached model.
    channels : int, default 16
        Feature channels of the convolutional core.
    verbose : bool, default False
        Print the loss after every epoch.
    seed : int, optional
        Deprecated old name of ``random_state``.

    Returns
    -------
    model : PopulationCNN, in eval mode
    history : list of float, the mean training loss of every epoch

    Examples
    --------
    >>> def poisson_loss(predicted, observed):            # stands in for yours
    ...     return (predicted - observed * torch.log(predicted + 1e-8)).mean()
    >>> rng = np.random.RandomState(0)
    >>> images, counts = rng.normal(size=(64, 12, 16)), rng.poisson(2.0, size=(3, 64))
    >>> model, history = train_model(images, counts, poisson_loss, n_epochs=2, batch_size=32, channels=4)
    >>> model.n_neurons, len(history)
    (3, 2)
    """
    random_state = renamed_keyword(random_state, seed, "random_state", "seed", 0)
    if isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral):
        raise TypeError(f"random_state must be an int seed, got {type(random_state).__name__} {random_state!r}")
    images = check_array(images, "images", ndim=3)
    responses = check_array(responses, "responses", ndim=2)
    if responses.shape[1] != len(images):
        raise ValueError(f"responses must have shape (n_neurons, {len(images)}), got {responses.shape}")
    check_callable(loss_function, "loss_function", "(predicted, observed) -> scalar tensor, like your poisson_loss")
    n_epochs = check_int(n_epochs, "n_epochs", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    learning_rate = check_number(learning_rate, "learning_rate", positive=True)
    l1 = check_number(l1, "l1")
    x = as_image_tensor(images)
    y = torch.as_tensor(responses.T, dtype=torch.float32)
    history = []
    with single_thread():
        model = PopulationCNN(len(responses), images.shape[1:], channels=channels, random_state=random_state)
        # start the output near the mean count of every neuron
        with torch.no_grad():
            model.bias.copy_(torch.log(torch.expm1(y.mean(0).clamp(min=0.05))))
        optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
        generator = torch_generator(random_state)
        for epoch in range(n_epochs):
            model.train()
            order = torch.randperm(len(x), generator=generator)
            total = 0.0
            for start in range(0, len(x), batch_size):
                batch = order[start:start + batch_size]
                loss = loss_function(model(x[batch]), y[batch])
                penalized = loss + l1 * model.regularizer()
                optimizer.zero_grad()
                penalized.backward()
                optimizer.step()
                total += loss.item() * len(batch)
            history.append(total / len(x))
            if verbose:
                print(f"epoch {epoch + 1}/{n_epochs}: loss {history[-1]:.4f}")
    model.eval()
    return model, history


def save_model(model, path):
    """Save the weights and the shape of a :class:`PopulationCNN`.

    Parameters
    ----------
    model : PopulationCNN
    path : str or pathlib.Path

    Returns
    -------
    None

    Examples
    --------
    >>> import tempfile, os
    >>> model = PopulationCNN(3, (12, 16), channels=4, random_state=0)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     save_model(model, os.path.join(folder, "cnn.pt"))
    ...     loaded = load_model(os.path.join(folder, "cnn.pt"))
    >>> loaded.image_shape, all(torch.equal(loaded.state_dict()[k], v) for k, v in model.state_dict().items())
    ((12, 16), True)
    """
    torch.save({"n_neurons": model.n_neurons, "image_shape": model.image_shape, "channels": model.channels,
                "state_dict": model.state_dict()}, path)


def load_model(path):
    """Load a :class:`PopulationCNN` saved by :func:`save_model` (eval mode).

    Parameters
    ----------
    path : str or pathlib.Path

    Returns
    -------
    PopulationCNN

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     save_model(PopulationCNN(2, (12, 16), channels=4, random_state=0), os.path.join(folder, "cnn.pt"))
    ...     model = load_model(os.path.join(folder, "cnn.pt"))
    >>> model.n_neurons, model.training
    (2, False)
    """
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    # the seed only avoids drawing from torch's global generator: the weights are replaced
    model = PopulationCNN(checkpoint["n_neurons"], checkpoint["image_shape"], checkpoint["channels"], random_state=0)
    model.load_state_dict(checkpoint["state_dict"])
    model.eval()
    return model
