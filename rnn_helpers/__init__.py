"""rnn_helpers: the small shared package of the RNN course book.

One module per idea:

- ``env``       the setup call: seeds, device, plot style; ``glue`` for the book's prose
- ``layers``    numpy forward/backward pairs: affine layer and activations
- ``losses``    softmax cross-entropy and mean squared error, with gradients
- ``gradcheck`` numerical gradients and relative errors
- ``train``     a torch training loop with progress bar, clipping and history
- ``plots``     loss curves and decision boundaries
- ``data``      shipped and generated data sets
"""

from .data import data_dir, load_digits, make_spirals, train_test_split
from .env import OKABE_ITO, get_device, glue, seed_everything, set_plot_style, setup
from .gradcheck import numerical_gradient, rel_error
from .layers import (
    ACTIVATIONS,
    activation,
    affine_backward,
    affine_forward,
    identity_backward,
    identity_forward,
    leaky_relu_backward,
    leaky_relu_forward,
    relu_backward,
    relu_forward,
    sigmoid_backward,
    sigmoid_forward,
    tanh_backward,
    tanh_forward,
)
from .losses import mse_loss, softmax, softmax_cross_entropy
from .plots import plot_decision_boundary, plot_loss, smooth
from .train import History, grad_norm, minibatches, train

__version__ = "0.1.0"
