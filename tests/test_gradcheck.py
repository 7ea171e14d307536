import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import rnn_helpers as rh


@given(n=st.integers(1, 6), seed=st.integers(0, 2**31 - 1))
def test_numerical_gradient_of_known_scalar_function(n, seed):
    x = np.random.default_rng(seed).normal(size=(n, 2))
    grad = rh.numerical_gradient(lambda v: np.sum(v**3 + v), x)
    assert rh.rel_error(grad, 3 * x**2 + 1) < 1e-8


def test_numerical_gradient_with_upstream_gradient_and_restores_x():
    x = np.array([[0.3, -1.2], [2.0, 0.5]])
    x0 = x.copy()
    df = np.array([[1.0, 2.0], [-1.0, 0.5]])
    grad = rh.numerical_gradient(np.sin, x, df)
    np.testing.assert_allclose(grad, np.cos(x0) * df, rtol=1e-8)
    np.testing.assert_array_equal(x, x0)  # the point is restored after every perturbation


def test_rel_error_behaviour():
    a = np.array([1.0, 2.0, 3.0])
    assert rh.rel_error(a, a) == 0.0
    assert rh.rel_error(a, -a) == 1.0  # opposite signs: the worst possible
    assert abs(rh.rel_error(a, a * (1 + 1e-6)) - 5e-7) < 1e-9
    assert rh.rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert rh.rel_error(a, a + 1) == rh.rel_error(a + 1, a)  # symmetric
