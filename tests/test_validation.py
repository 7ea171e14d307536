"""Bad inputs raise ValueErrors that name the argument, what was expected and what was given."""

import numpy as np
import pytest
import torch

import rnn_helpers as rh


def test_affine_forward_wrong_input_width_names_argument_expected_and_given():
    x, w, b = np.zeros((2, 5)), np.zeros((3, 4)), np.zeros(3)
    with pytest.raises(ValueError) as err:
        rh.affine_forward(x, w, b)
    msg = str(err.value)
    assert msg == "affine_forward: argument 'x' must have shape (N, 4) to match 'w' of shape (3, 4), got (2, 5)"


def test_affine_forward_weights_must_be_a_matrix():
    with pytest.raises(ValueError, match=r"^affine_forward: argument 'w' must have 2 dimensions, got shape \(12,\)$"):
        rh.affine_forward(np.zeros((2, 4)), np.zeros(12), np.zeros(3))


def test_affine_forward_wrong_rank():
    with pytest.raises(ValueError, match=r"^affine_forward: argument 'x' must have 2 dimensions, got shape \(4,\)$"):
        rh.affine_forward(np.zeros(4), np.zeros((3, 4)), np.zeros(3))


def test_affine_forward_wrong_bias_shape():
    with pytest.raises(ValueError, match=r"'b' must have shape \(3,\), got \(4,\)"):
        rh.affine_forward(np.zeros((2, 4)), np.zeros((3, 4)), np.zeros(4))


def test_integer_inputs_are_rejected_with_dtype_in_message():
    with pytest.raises(ValueError, match=r"'x' must have a floating dtype.*got int64"):
        rh.tanh_forward(np.arange(6).reshape(2, 3))


def test_non_array_input_is_rejected():
    with pytest.raises(ValueError, match=r"'x' must be a numpy array, got list"):
        rh.relu_forward([[1.0, -1.0]])


def test_full_shape_check_reports_expected_rank_and_shape():
    with pytest.raises(
        ValueError,
        match=r"^plot_decision_boundary: argument 'X' must have 2 dimensions, shape \(\?, 2\), got shape \(6,\)$",
    ):
        rh.plot_decision_boundary(lambda g: g, np.zeros(6), np.zeros(6, dtype=int))


def test_backward_checks_upstream_gradient_shape():
    _, cache = rh.affine_forward(np.zeros((2, 4)), np.zeros((3, 4)), np.zeros(3))
    with pytest.raises(ValueError, match=r"'dout' must have shape \(2, 3\), got \(3, 2\)"):
        rh.affine_backward(np.zeros((3, 2)), cache)
    _, cache = rh.sigmoid_forward(np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"'dout' must have shape \(2, 2\), got \(2, 3\)"):
        rh.sigmoid_backward(np.zeros((2, 3)), cache)


def test_labels_are_checked_for_shape_dtype_and_range():
    scores = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"'y' must have shape \(3,\), got \(2,\)"):
        rh.softmax_cross_entropy(scores, np.array([0, 1]))
    with pytest.raises(ValueError, match=r"'y' must hold integer class labels, got dtype float64"):
        rh.softmax_cross_entropy(scores, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"'y' must lie in \[0, 4\), got values in \[0, 4\]"):
        rh.softmax_cross_entropy(scores, np.array([0, 1, 4]))


def test_mse_shapes_must_match():
    with pytest.raises(ValueError, match=r"mse_loss: argument 'target' must have shape \(2, 3\), got \(3, 2\)"):
        rh.mse_loss(np.zeros((2, 3)), np.zeros((3, 2)))


def test_numerical_gradient_checks_df_and_step():
    x = np.zeros((2, 2))
    with pytest.raises(ValueError, match=r"'df' must have the shape of f\(x\), \(2, 2\), got \(3,\)"):
        rh.numerical_gradient(lambda v: v * 2, x, np.zeros(3))
    with pytest.raises(ValueError, match=r"f returned shape \(2, 2\); pass 'df'"):
        rh.numerical_gradient(lambda v: v * 2, x)
    with pytest.raises(ValueError, match=r"'h' must be > 0, got 0"):
        rh.numerical_gradient(np.sum, x, h=0)


def test_rel_error_shape_mismatch():
    with pytest.raises(ValueError, match=r"same shape, got \(2,\) and \(3,\)"):
        rh.rel_error(np.zeros(2), np.zeros(3))


def test_unknown_activation_lists_choices():
    with pytest.raises(
        ValueError, match=r"must be one of \['identity', 'leaky_relu', 'relu', 'sigmoid', 'tanh'\], got 'gelu'"
    ):
        rh.activation("gelu")


def test_other_helpers_validate_arguments():
    with pytest.raises(ValueError, match="'seed' must be a non-negative int, got -1"):
        rh.seed_everything(-1)
    with pytest.raises(ValueError, match="'batch_size' must be > 0, got 0"):
        list(rh.minibatches(10, 0, np.random.default_rng(0)))
    with pytest.raises(ValueError, match=r"'test_fraction' must be in \(0, 1\), got 1.5"):
        rh.train_test_split(10, 1.5)
    with pytest.raises(ValueError, match="'n_per_class' and 'n_classes' must be > 0, got 0 and 3"):
        rh.make_spirals(n_per_class=0)
    with pytest.raises(ValueError, match=r"'X' must have shape \(\?, 2\), got \(5, 3\)"):
        rh.plot_decision_boundary(lambda g: np.zeros(len(g)), np.zeros((5, 3)), np.zeros(5, dtype=int))
    model = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="same first dimension, got 4 and 3"):
        rh.train(model, torch.nn.functional.mse_loss, torch.zeros(4, 2), torch.zeros(3, 1), optimizer=opt)
    with pytest.raises(ValueError, match="'clip_norm' must be > 0 or None, got 0"):
        rh.train(model, torch.nn.functional.mse_loss, torch.zeros(4, 2), torch.zeros(4, 1), optimizer=opt, clip_norm=0)
