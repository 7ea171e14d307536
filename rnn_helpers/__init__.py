"""rnn_helpers: the small shared package of the RNN course book.

One module per idea, grouped by kind:

Numpy layers (forward/backward pairs, checked against ``torch.nn`` and numerical gradients)

- ``layers``    the affine layer and activations
- ``losses``    softmax cross-entropy and mean squared error, with gradients
- ``rnn``       the tanh RNN layer: step and sequence forward/backward
- ``lstm``      the LSTM layer: step and sequence forward/backward
- ``gru``       one GRU step, forward/backward (PyTorch's variant)

Torch modules

- ``cells``     LSTM and GRU cells and layers, state_dict-compatible with ``torch.nn``
- ``models``    a character-level language model, many-to-one and many-to-many wrappers, training
- ``speed``     the LSTM loop naive, hoisted and compiled, raced against ``torch.nn.LSTM``
- ``deep``      stacked tanh, LSTM and GRU layers with dropout and residual connections
- ``bidirectional`` bidirectional LSTM, GRU and tanh layers, state_dict-compatible with ``torch.nn``
- ``clockwork`` the clockwork RNN: masks, schedule, layer, naive reference, the replication's trainer
- ``seq2seq``   number words to digits, a GRU encoder-decoder with additive attention, stacked over members
- ``autoencoder`` LSTM sequence autoencoders (reconstruction, future, composite), stacked over seeds

Data

- ``data``      shipped and generated data sets: digits, spirals, sunspots, Mauna Loa CO2
- ``sequences`` seeded synthetic sequence tasks (the adding problem, the copy task, motif detection)
- ``text``      character vocabulary, the shipped text corpus, sampling, n-gram baselines
- ``video``     moving-digit clips (real UCI digits on a torus) whose label is the direction of motion
- ``motion``    seeded bouncing balls under gravity; constant-velocity and Kalman-filter forecasts
- ``scenes``    seeded captioned scenes: two real UCI digits, their sizes and spatial relation
- ``words``     tokens, a capped word vocabulary, the Austen corpus, word n-grams (Kneser-Ney), a word RNN

Tools

- ``env``       the setup call: seeds, device, plot style, CPU threads; ``glue`` for the prose; the speed index
- ``gradcheck`` numerical gradients and relative errors
- ``gradients`` Jacobian norms through time, gradient clipping, recurrent matrices
- ``train``     a torch training loop with progress bar, clipping and history
- ``progress_bars`` progress bars: ``tqdm.auto`` live, one final line of text on the book's static pages
- ``plots``     loss curves and decision boundaries
- ``sliders``   sliders that work without a kernel: one precomputed figure per value
- ``decoding``  greedy and beam-search decoding of a conditional language model through a step function
- ``bleu``      corpus and sentence BLEU-1..4 (Papineni et al. 2002), matching nltk
- ``forecast``  forecasting baselines: persistence, seasonal naive, least-squares AR and its rollout
- ``resolution`` super-resolution: block averaging, decimation, interpolation baselines, PSNR and SSIM
- ``denoise``   seeded corruptions (Gaussian noise, dropouts, spikes), SNR in dB, moving average, Savitzky-Golay, Wiener
"""

from .autoencoder import Reconstruction, SeqAutoencoder, StackedAdam, StackedLinear, StackedLSTM, stacked_lstm
from .bidirectional import Bidirectional
from .bleu import bleu_scores, brevity_penalty, corpus_bleu, modified_precision, sentence_bleu
from .cells import GRU, LSTM, GRUCell, LSTMCell, gru_cell, lstm_cell
from .clockwork import ClockworkRNN, clockwork_macs, clockwork_mask, clockwork_schedule, multiscale_target
from .data import data_dir, load_co2, load_digits, load_sunspots, make_spirals, train_test_split
from .decoding import beam_search, greedy_decode
from .deep import StackedRNN, stack_parameter_count, tanh_cell
from .denoise import add_dropouts, add_gaussian_noise, add_spikes, apply_fir, fit_wiener, moving_average, savgol, snr_db
from .env import OKABE_ITO, get_device, glue, seed_everything, set_plot_style, set_threads, setup, speed_index
from .forecast import ar_rollout, fit_ar, lag_matrix, persistence, random_windows_1d, seasonal_naive, targets_at
from .gradcheck import numerical_gradient, rel_error
from .gradients import clip_grad_norm, hidden_jacobian_norms, recurrent_matrix, spectral_radius
from .gru import gru_step_backward, gru_step_forward
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
from .lstm import lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward
from .models import (
    CharRNN,
    ManyToMany,
    ManyToOne,
    bits_per_char,
    detach_state,
    random_windows,
    stream_batches,
    train_char_lm,
)
from .motion import (
    Motion,
    ball_energy,
    bouncing_balls,
    constant_velocity_forecast,
    cv_model,
    kalman_cv,
    kalman_cv_forecast,
)
from .plots import plot_decision_boundary, plot_loss, smooth
from .progress_bars import progress
from .resolution import block_average, decimate, downsample, interpolate, psnr, ssim
from .rnn import rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward
from .scenes import Scenes, make_scenes, scene_captions
from .seq2seq import Seq2Seq, additive_attention, make_numbers, number_words
from .sequences import ADDING_BASELINE_MSE, copy_baseline_loss, make_adding_problem, make_copy_task, make_motif_data
from .sliders import slider_html
from .speed import (
    benchmark_lstm,
    compare_with_torch,
    lstm_compiled,
    lstm_hoisted,
    lstm_naive,
    lstm_scripted,
    median_ms,
)
from .text import CharVocab, load_python_corpus, ngram_bits_per_char, sample_from_logits, softmax_with_temperature
from .train import History, grad_norm, minibatches, train
from .video import DIRECTIONS, MovingDigits, make_moving_digits, render_clips
from .words import (
    KneserNey,
    WordLM,
    WordVocab,
    bigram_probs,
    load_austen,
    nearest_words,
    perplexity,
    rnn_log_probs,
    tokenize,
    unigram_probs,
)

__version__ = "0.1.0"
