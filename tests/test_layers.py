"""Every numpy backward pass against numerical gradients and against torch.autograd.

Centred differences in float64 agree to about 1e-6 relative even where a gradient
is tiny (a saturated tanh); torch.autograd computes the same formulas and agrees
to round-off, so its thresholds are far tighter.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

import rnn_helpers as rh

dims = st.integers(min_value=1, max_value=5)
seeds = st.integers(min_value=0, max_value=2**31 - 1)


def randn(rng, *shape):
    """Gaussian float64 values kept away from 0, where ReLU has a kink."""
    x = rng.normal(size=shape)
    x[np.abs(x) < 1e-3] += 0.01
    return x


def assert_matches_numerical(analytic, numeric):
    """Centred differences carry ~1e-10 absolute round-off, so tiny gradients get an absolute tolerance."""
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


def torch_grads(fn, *arrays, dout):
    """Gradients of sum(fn(*tensors) * dout) with respect to each array, by torch.autograd."""
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out = fn(*ts)
    out.backward(torch.tensor(dout, dtype=torch.float64))
    return out.detach().numpy(), [t.grad.numpy() for t in ts]


@given(n=dims, d=dims, m=dims, seed=seeds)
def test_affine_matches_numerical_and_torch(n, d, m, seed):
    rng = np.random.default_rng(seed)
    x, w, b = randn(rng, n, d), randn(rng, m, d), randn(rng, m)
    dout = randn(rng, n, m)
    out, cache = rh.affine_forward(x, w, b)
    dx, dw, db = rh.affine_backward(dout, cache)
    assert out.shape == (n, m) and dx.shape == x.shape and dw.shape == w.shape and db.shape == b.shape

    # numerical gradients
    assert_matches_numerical(dx, rh.numerical_gradient(lambda v: rh.affine_forward(v, w, b)[0], x, dout))
    assert_matches_numerical(dw, rh.numerical_gradient(lambda v: rh.affine_forward(x, v, b)[0], w, dout))
    assert_matches_numerical(db, rh.numerical_gradient(lambda v: rh.affine_forward(x, w, v)[0], b, dout))

    # torch.nn.functional.linear uses the same (out, in) weight layout
    t_out, (tdx, tdw, tdb) = torch_grads(F.linear, x, w, b, dout=dout)
    assert rh.rel_error(out, t_out) < 1e-12
    assert rh.rel_error(dx, tdx) < 1e-10 and rh.rel_error(dw, tdw) < 1e-10 and rh.rel_error(db, tdb) < 1e-10


TORCH_ACTIVATIONS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda t: F.leaky_relu(t, 0.01),
    "identity": lambda t: t * 1.0,
}


@pytest.mark.parametrize("name", sorted(rh.ACTIVATIONS))
@given(n=dims, d=dims, seed=seeds)
def test_activation_matches_numerical_and_torch(name, n, d, seed):
    forward, backward = rh.activation(name)
    rng = np.random.default_rng(seed)
    x, dout = randn(rng, n, d) * 3, randn(rng, n, d)
    out, cache = forward(x)
    dx = backward(dout, cache)
    # Where tanh or sigmoid saturate, dx is ~1e-7 and only an absolute tolerance makes sense.
    num = rh.numerical_gradient(lambda v: forward(v)[0], x, dout)
    assert_matches_numerical(dx, num)
    t_out, (tdx,) = torch_grads(TORCH_ACTIVATIONS[name], x, dout=dout)
    np.testing.assert_allclose(out, t_out, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dx, tdx, rtol=1e-10, atol=1e-14)


def test_sigmoid_is_stable_for_large_inputs():
    x = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]])
    with np.errstate(over="raise"):  # an overflow would raise here
        s, _ = rh.sigmoid_forward(x)
    np.testing.assert_allclose(s, torch.sigmoid(torch.tensor(x)).numpy(), rtol=1e-12, atol=0)
    assert s[0, 0] == 0.0 and s[0, 2] == 0.5 and s[0, -1] == 1.0


@given(n=dims, c=st.integers(min_value=2, max_value=6), seed=seeds)
def test_softmax_cross_entropy_matches_numerical_and_torch(n, c, seed):
    rng = np.random.default_rng(seed)
    scores = randn(rng, n, c) * 2
    y = rng.integers(0, c, size=n)
    loss, dscores = rh.softmax_cross_entropy(scores, y)
    num = rh.numerical_gradient(lambda s: rh.softmax_cross_entropy(s, y)[0], scores)
    assert_matches_numerical(dscores, num)

    t = torch.tensor(scores, requires_grad=True)
    t_loss = F.cross_entropy(t, torch.tensor(y))
    t_loss.backward()
    assert abs(loss - t_loss.item()) < 1e-12
    assert rh.rel_error(dscores, t.grad.numpy()) < 1e-10
    np.testing.assert_allclose(rh.softmax(scores), torch.softmax(t, dim=1).detach().numpy(), rtol=1e-12)


def test_softmax_survives_huge_scores():
    p = rh.softmax(np.array([[1000.0, 1000.0, -1000.0]]))
    np.testing.assert_allclose(p, [[0.5, 0.5, 0.0]])


@given(n=dims, d=dims, seed=seeds)
def test_mse_matches_numerical_and_torch(n, d, seed):
    rng = np.random.default_rng(seed)
    pred, target = randn(rng, n, d), randn(rng, n, d)
    loss, dpred = rh.mse_loss(pred, target)
    assert_matches_numerical(dpred, rh.numerical_gradient(lambda p: rh.mse_loss(p, target)[0], pred))
    t = torch.tensor(pred, requires_grad=True)
    t_loss = F.mse_loss(t, torch.tensor(target))
    t_loss.backward()
    assert abs(loss - t_loss.item()) < 1e-12
    assert rh.rel_error(dpred, t.grad.numpy()) < 1e-10


@pytest.mark.parametrize("act", ["tanh", "relu", "sigmoid"])
@given(n=dims, d=dims, h=dims, c=st.integers(min_value=2, max_value=5), seed=seeds)
def test_two_layer_network_matches_torch_with_copied_weights(act, n, d, h, c, seed):
    """The layers compose into a network whose loss and gradients equal nn.Sequential's."""
    rng = np.random.default_rng(seed)
    x, y = randn(rng, n, d), rng.integers(0, c, size=n)
    w1, b1, w2, b2 = randn(rng, h, d), randn(rng, h), randn(rng, c, h), randn(rng, c)
    fwd, bwd = rh.activation(act)
    z1, c1 = rh.affine_forward(x, w1, b1)
    a1, ca = fwd(z1)
    s, c2 = rh.affine_forward(a1, w2, b2)
    loss, ds = rh.softmax_cross_entropy(s, y)
    da1, dw2, db2 = rh.affine_backward(ds, c2)
    dx, dw1, db1 = rh.affine_backward(bwd(da1, ca), c1)

    torch_act = {"tanh": torch.nn.Tanh(), "relu": torch.nn.ReLU(), "sigmoid": torch.nn.Sigmoid()}[act]
    net = torch.nn.Sequential(torch.nn.Linear(d, h), torch_act, torch.nn.Linear(h, c)).double()
    with torch.no_grad():
        for p, v in zip(net.parameters(), [w1, b1, w2, b2]):
            p.copy_(torch.from_numpy(v))
    tx = torch.tensor(x, requires_grad=True)
    t_loss = F.cross_entropy(net(tx), torch.tensor(y))
    t_loss.backward()
    assert abs(loss - t_loss.item()) < 1e-10
    for ours, p in zip([dw1, db1, dw2, db2], net.parameters()):
        assert rh.rel_error(ours, p.grad.numpy()) < 1e-9
    assert rh.rel_error(dx, tx.grad.numpy()) < 1e-9
