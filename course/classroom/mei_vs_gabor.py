"""Submissions for the MEIs vs Gabors assignment: other correct answers and mistakes.

The mistakes are the seed project's bugs (see the seeds README: index-based
frequency radius, random-trial oracle, ignored arguments and globals, division
by zero on a constant image, the (x, y) mask centre, the centre pixel in the
axial average) and slips students make.
"""

from course.classroom import Variant

ORACLE = "test_oracle_correlation"
LOSS = "test_poisson_loss"
SMOOTH = "test_fft_smooth"
MEI = "test_generate_mei"
MEI_FLAT = "test_generate_mei_flat_model"
GABOR = "test_create_gabor"
MASK = "test_circular_mask"
CONTRAST = "test_masked_contrast"
CONTRAST_MASK = "test_masked_contrast_invalid_mask"
AXIAL = "test_axial_average"
SYMMETRY = "test_symmetry_index"

MEI_SIGNATURE = ("def generate_mei(model, neuron, n_steps, image_shape=(36, 64), contrast=0.1, cutoff=0.2,\n"
                 "                 step_size=0.01, random_state=0):\n")


def _mei(body):
    return MEI_SIGNATURE + body


VARIANTS = {
    # other correct implementations: full marks
    "loops_and_library_calls": Variant(
        "loops over neurons, rfft2, torch's poisson_nll_loss, hypot, bin starts, torch-only MEI",
        {"oracle_correlation": (
            "def oracle_correlation(responses):\n"
            "    responses = np.asarray(responses, dtype=float)\n"
            "    n_trials = responses.shape[2]\n"
            "    result = []\n"
            "    for neuron in responses:\n"
            "        others = (neuron.sum(axis=1)[:, None] - neuron) / (n_trials - 1)\n"
            "        result.append(np.corrcoef(neuron.ravel(), others.ravel())[0, 1])\n"
            "    return np.array(result)\n"),
         "poisson_loss": (
            "def poisson_loss(predicted, observed):\n"
            "    return torch.nn.functional.poisson_nll_loss(predicted, observed, log_input=False)\n"),
         "fft_smooth": (
            "def fft_smooth(image_or_grad, cutoff):\n"
            "    h, w = np.shape(image_or_grad)\n"
            "    f2 = np.fft.fftfreq(h)[:, None] ** 2 + np.fft.rfftfreq(w)[None, :] ** 2\n"
            "    return np.fft.irfft2(np.fft.rfft2(image_or_grad) * np.exp(-f2 / (2 * cutoff ** 2)), s=(h, w))\n"),
         "generate_mei": _mei(
            "    torch.manual_seed(0)\n"
            "    start = np.random.RandomState(random_state).standard_normal(image_shape)\n"
            "    x = torch.tensor(start, dtype=torch.float64)\n"
            "    x = (x - x.mean()) / (x - x.mean()).pow(2).mean().sqrt() * contrast\n"
            "    for step in range(n_steps):\n"
            "        pixels = x.float().reshape(1, 1, *image_shape).requires_grad_(True)\n"
            "        model(pixels)[:, neuron].sum().backward()\n"
            "        g = torch.tensor(fft_smooth(pixels.grad[0, 0].double().numpy(), cutoff))\n"
            "        g = g / (g.std(unbiased=False) + 1e-30)\n"
            "        x = x + step_size * g\n"
            "        x = x - x.mean()\n"
            "        x = x / x.pow(2).mean().sqrt() * contrast\n"
            "    return x.numpy()\n"),
         "create_gabor": (
            "def create_gabor(height, width, phase, wavelength, orientation, sigma, dy=0, dx=0):\n"
            "    y = np.arange(height)[:, None] - (height - 1) / 2 - dy\n"
            "    x = np.arange(width)[None, :] - (width - 1) / 2 - dx\n"
            "    carrier = np.cos(2 * np.pi / wavelength * (np.cos(orientation) * x + np.sin(orientation) * y) + phase)\n"
            "    return carrier * np.exp(-(x * x + y * y) / (2.0 * sigma * sigma))\n"),
         "circular_mask": (
            "def circular_mask(height, width, center, radius):\n"
            "    Y, X = np.ogrid[:height, :width]\n"
            "    return np.hypot(Y - center[0], X - center[1]) <= radius\n"),
         "masked_contrast": (
            "def masked_contrast(image, mask):\n"
            "    if np.shape(mask) != np.shape(image) or not np.any(mask):\n"
            "        raise ValueError('mask must have the shape of image and select pixels')\n"
            "    values = np.asarray(image, dtype=float)[np.asarray(mask, dtype=bool)]\n"
            "    return np.sqrt(np.mean((values - values.mean()) ** 2))\n"),
         "axial_average": (
            "def axial_average(power, bin_size):\n"
            "    h, w = power.shape\n"
            "    n_bins = int(round(2 * np.pi / bin_size))\n"
            "    sums, counts = np.zeros(n_bins), np.zeros(n_bins)\n"
            "    for r in range(h):\n"
            "        for c in range(w):\n"
            "            if (r, c) == (h // 2, w // 2):\n"
            "                continue\n"
            "            k = int(np.arctan2(r - h // 2, c - w // 2) % (2 * np.pi) // bin_size)\n"
            "            sums[min(k, n_bins - 1)] += power[r, c]\n"
            "            counts[min(k, n_bins - 1)] += 1\n"
            "    return sums / counts\n"),
         "symmetry_index": (
            "def symmetry_index(p_theta, n):\n"
            "    angles = np.arange(len(p_theta)) * 2 * np.pi / len(p_theta)   # bin starts\n"
            "    return abs(np.sum(p_theta * np.exp(1j * 2 * n * angles))) / np.sum(p_theta)\n")},
        frozenset()),
    "vectorized_einsum": Variant(
        "einsum oracle, torch loss with torch.log, epsilon-guarded MEI step",
        {"oracle_correlation": (
            "def oracle_correlation(responses):\n"
            "    r = np.asarray(responses, dtype=float)\n"
            "    loo = (r.sum(-1, keepdims=True) - r) / (r.shape[-1] - 1)\n"
            "    a = r - r.mean(axis=(1, 2), keepdims=True)\n"
            "    b = loo - loo.mean(axis=(1, 2), keepdims=True)\n"
            "    return np.einsum('nit,nit->n', a, b) / np.sqrt(np.einsum('nit,nit->n', a, a) * np.einsum('nit,nit->n', b, b))\n"),
         "poisson_loss": (
            "def poisson_loss(predicted, observed):\n"
            "    return torch.mean(predicted) - torch.mean(observed * torch.log(predicted))\n"),
         "generate_mei": _mei(
            "    rng = np.random.RandomState(random_state)\n"
            "    x = rng.standard_normal(image_shape)\n"
            "    x = (x - x.mean()) / x.std() * contrast\n"
            "    for _ in range(n_steps):\n"
            "        t = torch.from_numpy(x).float()[None, None].requires_grad_()\n"
            "        out = model(t)\n"
            "        grad, = torch.autograd.grad(out[0, neuron], t)\n"
            "        g = fft_smooth(grad.numpy()[0, 0], cutoff)\n"
            "        x = x + step_size * g / max(g.std(), 1e-12) if g.std() > 0 else x\n"
            "        x = (x - x.mean()) / x.std() * contrast\n"
            "    return x\n")},
        frozenset()),
    "mei_torch_unbiased_std": Variant(
        "MEI on a torch tensor throughout, step divided by torch's default (unbiased, n - 1) std",
        {"generate_mei": _mei(
            "    gen = np.random.RandomState(random_state)\n"
            "    x = torch.from_numpy(gen.standard_normal(tuple(image_shape)))\n"
            "    x = (x - x.mean()) / x.std(unbiased=False) * contrast\n"
            "    for _ in range(n_steps):\n"
            "        x32 = x.to(torch.float32).view(1, 1, *x.shape).requires_grad_()\n"
            "        model(x32)[0][neuron].backward()\n"
            "        g = torch.from_numpy(np.asarray(fft_smooth(x32.grad[0, 0].numpy(), cutoff), dtype=float))\n"
            "        if torch.any(g != 0):\n"
            "            x = x + step_size * g / g.std()\n"
            "            x = (x - x.mean()) / x.std(unbiased=False) * contrast\n"
            "    return x.numpy()\n")},
        frozenset()),
    # plausible mistakes, most of them from the seed project: lose exactly the points of `fails`
    "random_trial_oracle": Variant(
        "draws one random trial per image and correlates it with the mean of the others (seed)",
        {"oracle_correlation": (
            "def oracle_correlation(responses):\n"
            "    responses = np.asarray(responses, dtype=float)\n"
            "    n_neurons, n_images, n_trials = responses.shape\n"
            "    result = []\n"
            "    for neuron in responses:\n"
            "        picks = np.random.randint(n_trials, size=n_images)\n"
            "        single = neuron[np.arange(n_images), picks]\n"
            "        others = (neuron.sum(axis=1) - single) / (n_trials - 1)\n"
            "        result.append(np.corrcoef(single, others)[0, 1])\n"
            "    return np.array(result)\n")},
        frozenset({ORACLE})),
    "oracle_includes_own_trial": Variant(
        "correlates each trial with the mean of all trials, its own included",
        {"oracle_correlation": (
            "def oracle_correlation(responses):\n"
            "    r = np.asarray(responses, dtype=float)\n"
            "    means = np.repeat(r.mean(axis=2, keepdims=True), r.shape[2], axis=2)\n"
            "    return np.array([np.corrcoef(a.ravel(), b.ravel())[0, 1] for a, b in zip(r, means)])\n")},
        frozenset({ORACLE})),
    "loss_arguments_swapped": Variant(
        "takes the log of the observed counts instead of the prediction",
        {"poisson_loss": (
            "def poisson_loss(predicted, observed):\n"
            "    return (observed - predicted * torch.log(observed + 1e-8)).mean()\n")},
        frozenset({LOSS})),
    "index_frequency_radius": Variant(
        "builds the frequency radius from array indices, not wrapped frequencies (seed)",
        {"fft_smooth": (
            "def fft_smooth(image_or_grad, cutoff):\n"
            "    h, w = np.shape(image_or_grad)\n"
            "    fy = np.arange(h)[:, None] / h\n"
            "    fx = np.arange(w)[None, :] / w\n"
            "    gain = np.exp(-(fy ** 2 + fx ** 2) / (2 * cutoff ** 2))\n"
            "    return np.fft.ifft2(np.fft.fft2(image_or_grad) * gain).real\n")},
        frozenset({SMOOTH})),
    "mei_divides_by_zero": Variant(
        "divides the gradient by its standard deviation even when it is zero",
        {"generate_mei": _mei(
            "    x = np.random.RandomState(random_state).standard_normal(image_shape)\n"
            "    x = (x - x.mean()) * contrast / x.std()\n"
            "    for _ in range(n_steps):\n"
            "        t = torch.tensor(x[None, None], dtype=torch.float32, requires_grad=True)\n"
            "        model(t)[0, neuron].backward()\n"
            "        g = fft_smooth(t.grad[0, 0].numpy(), cutoff)\n"
            "        x = x + step_size * g / g.std()\n"
            "        x = (x - x.mean()) * contrast / x.std()\n"
            "    return x\n")},
        frozenset({MEI_FLAT})),
    "mei_ignores_arguments": Variant(
        "always optimizes 36 x 64 images of neuron 0 (ignored arguments, as in the seed)",
        {"generate_mei": _mei(
            "    x = np.random.RandomState(random_state).standard_normal((36, 64))\n"
            "    x = (x - x.mean()) * contrast / x.std()\n"
            "    for _ in range(n_steps):\n"
            "        t = torch.tensor(x[None, None], dtype=torch.float32, requires_grad=True)\n"
            "        model(t)[0, 0].backward()\n"
            "        g = fft_smooth(t.grad[0, 0].numpy(), cutoff)\n"
            "        if g.std() > 0:\n"
            "            x = x + step_size * g / g.std()\n"
            "        x = (x - x.mean()) * contrast / x.std()\n"
            "    return x\n")},
        frozenset({MEI, MEI_FLAT})),
    "mei_without_smoothing": Variant(
        "steps along the raw pixel gradient: never calls fft_smooth",
        {"generate_mei": _mei(
            "    x = np.random.RandomState(random_state).standard_normal(image_shape)\n"
            "    x = (x - x.mean()) * contrast / x.std()\n"
            "    for _ in range(n_steps):\n"
            "        t = torch.tensor(x[None, None], dtype=torch.float32, requires_grad=True)\n"
            "        model(t)[0, neuron].backward()\n"
            "        g = t.grad[0, 0].numpy().astype(float)\n"
            "        if g.std() > 0:\n"
            "            x = x + step_size * g / g.std()\n"
            "        x = (x - x.mean()) * contrast / x.std()\n"
            "    return x\n")},
        frozenset({MEI})),
    "mei_unnormalised_step": Variant(
        "adds step_size times the smoothed gradient without dividing by its standard deviation",
        {"generate_mei": _mei(
            "    x = np.random.RandomState(random_state).standard_normal(image_shape)\n"
            "    x = (x - x.mean()) * contrast / x.std()\n"
            "    for _ in range(n_steps):\n"
            "        t = torch.tensor(x[None, None], dtype=torch.float32, requires_grad=True)\n"
            "        model(t)[0, neuron].backward()\n"
            "        x = x + step_size * fft_smooth(t.grad[0, 0].numpy(), cutoff)\n"
            "        x = (x - x.mean()) * contrast / x.std()\n"
            "    return x\n")},
        frozenset({MEI})),
    "mei_min_max_scaling": Variant(
        "rescales the image to [0, 1] after every step instead of fixing mean and contrast (seed)",
        {"generate_mei": _mei(
            "    x = np.random.RandomState(random_state).standard_normal(image_shape)\n"
            "    for _ in range(n_steps):\n"
            "        t = torch.tensor(x[None, None], dtype=torch.float32, requires_grad=True)\n"
            "        model(t)[0, neuron].backward()\n"
            "        g = fft_smooth(t.grad[0, 0].numpy(), cutoff)\n"
            "        if g.std() > 0:\n"
            "            x = x + step_size * g / g.std()\n"
            "        x = (x - x.min()) / (x.max() - x.min())\n"
            "    return x\n")},
        frozenset({MEI, MEI_FLAT})),
    "gabor_ignores_shift": Variant(
        "ignores dy and dx (ignored arguments)",
        {"create_gabor": (
            "def create_gabor(height, width, phase, wavelength, orientation, sigma, dy=0, dx=0):\n"
            "    rows, cols = np.mgrid[0:height, 0:width]\n"
            "    y, x = rows - (height - 1) / 2, cols - (width - 1) / 2\n"
            "    u = x * np.cos(orientation) + y * np.sin(orientation)\n"
            "    return np.exp(-(x ** 2 + y ** 2) / (2 * sigma ** 2)) * np.cos(2 * np.pi * u / wavelength + phase)\n")},
        frozenset({GABOR})),
    "gabor_degrees": Variant(
        "treats orientation and phase as degrees (as the seed did)",
        {"create_gabor": (
            "def create_gabor(height, width, phase, wavelength, orientation, sigma, dy=0, dx=0):\n"
            "    rows, cols = np.mgrid[0:height, 0:width]\n"
            "    y, x = rows - (height - 1) / 2 - dy, cols - (width - 1) / 2 - dx\n"
            "    theta, phi = np.deg2rad(orientation), np.deg2rad(phase)\n"
            "    u = x * np.cos(theta) + y * np.sin(theta)\n"
            "    return np.exp(-(x ** 2 + y ** 2) / (2 * sigma ** 2)) * np.cos(2 * np.pi * u / wavelength + phi)\n")},
        frozenset({GABOR})),
    "mask_center_xy": Variant(
        "reads the centre as (x, y), column first (seed)",
        {"circular_mask": (
            "def circular_mask(height, width, center, radius):\n"
            "    Y, X = np.ogrid[:height, :width]\n"
            "    return np.sqrt((X - center[0]) ** 2 + (Y - center[1]) ** 2) <= radius\n")},
        frozenset({MASK})),
    "contrast_zero_filled": Variant(
        "sets the pixels outside the mask to 0 and takes the std of the whole image",
        {"masked_contrast": (
            "def masked_contrast(image, mask):\n"
            "    if np.shape(mask) != np.shape(image) or not np.any(mask):\n"
            "        raise ValueError('bad mask')\n"
            "    return float(np.where(mask, image, 0.0).std())\n")},
        frozenset({CONTRAST})),
    "contrast_without_validation": Variant(
        "a correct contrast, but no ValueError for an empty mask or one of the wrong shape: half the points",
        {"masked_contrast": (
            "def masked_contrast(image, mask):\n"
            "    return float(np.asarray(image, dtype=float)[np.asarray(mask, dtype=bool)].std())\n")},
        frozenset({CONTRAST_MASK})),
    "contrast_relative_to_mean": Variant(
        "divides the std by the mean luminance (division by zero on a zero-mean or constant image)",
        {"masked_contrast": (
            "def masked_contrast(image, mask):\n"
            "    if np.shape(mask) != np.shape(image) or not np.any(mask):\n"
            "        raise ValueError('bad mask')\n"
            "    values = np.asarray(image)[np.asarray(mask, dtype=bool)]\n"
            "    return values.std() / values.mean()\n")},
        frozenset({CONTRAST})),
    "axial_keeps_centre": Variant(
        "keeps the zero-frequency pixel in bin 0 (seed)",
        {"axial_average": (
            "def axial_average(power, bin_size):\n"
            "    h, w = power.shape\n"
            "    n_bins = int(round(2 * np.pi / bin_size))\n"
            "    Y, X = np.indices((h, w))\n"
            "    bins = (np.mod(np.arctan2(Y - h // 2, X - w // 2), 2 * np.pi) // bin_size).astype(int)\n"
            "    return np.bincount(bins.ravel(), power.ravel(), n_bins) / np.bincount(bins.ravel(), minlength=n_bins)\n")},
        frozenset({AXIAL})),
    "symmetry_global_bin_size": Variant(
        "reads the bin size from the notebook's global BIN_SIZE instead of len(p_theta) (seed)",
        {"symmetry_index": (
            "def symmetry_index(p_theta, n):\n"
            "    angles = np.arange(len(p_theta)) * BIN_SIZE\n"
            "    return np.abs(np.sum(p_theta * np.exp(2j * n * angles))) / np.sum(p_theta)\n")},
        frozenset({SYMMETRY})),
}
