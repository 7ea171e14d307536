"""Shared test helpers: hypothesis strategies for layer sizes and a numerical-gradient check."""

import numpy as np
import torch
from hypothesis import strategies as st

import rnn_helpers as rh

dims = st.integers(min_value=1, max_value=4)
steps = st.integers(min_value=1, max_value=6)
seeds = st.integers(min_value=0, max_value=2**31 - 1)


def assert_matches_numerical(analytic, numeric):
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


def assert_all_match_numerical(forward, args, grads, dh):
    """Each analytic gradient grads[i] matches the numerical gradient of sum(forward(*args)[0] * dh) wrt args[i]."""
    for i, (g, a) in enumerate(zip(grads, args)):

        def f(v, i=i):
            return forward(*[v if j == i else args[j] for j in range(len(args))])[0]

        assert_matches_numerical(g, rh.numerical_gradient(f, a, dh))


def assert_same_outputs_and_grads(ours, theirs, out_ours, out_theirs, x_ours, x_theirs):
    """Backpropagate the same random weighting of all outputs through both; compare values and every gradient."""
    flat_ours, flat_theirs = torch.cat([t.flatten() for t in out_ours]), torch.cat([t.flatten() for t in out_theirs])
    torch.testing.assert_close(flat_ours, flat_theirs, rtol=1e-10, atol=1e-12)
    w = torch.randn_like(flat_ours)
    (flat_ours @ w).backward()
    (flat_theirs @ w).backward()
    torch.testing.assert_close(x_ours.grad, x_theirs.grad, rtol=1e-10, atol=1e-12)
    named = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        torch.testing.assert_close(p.grad, named[name].grad, rtol=1e-10, atol=1e-12, msg=f"gradient of {name}")
