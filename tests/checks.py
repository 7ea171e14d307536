"""Shared test helpers: hypothesis strategies for layer sizes and a numerical-gradient check."""

import numpy as np
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
