"""The setup call, the training loop, the data sets and the plot helpers."""

import random

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

import rnn_helpers as rh


def draws():
    return random.random(), np.random.rand(), torch.rand(1).item()


def test_setup_seeds_every_generator_and_picks_a_device(monkeypatch):
    monkeypatch.delenv("RNN_BOOK_DEVICE", raising=False)
    device = rh.setup(seed=3)
    first = draws()
    assert rh.setup(seed=3) == device
    assert draws() == first
    rh.setup(seed=4)
    assert draws() != first
    assert device.type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert plt.rcParams["axes.prop_cycle"].by_key()["color"] == rh.OKABE_ITO


def test_device_can_be_forced(monkeypatch):
    monkeypatch.setenv("RNN_BOOK_DEVICE", "cpu")
    assert rh.get_device() == torch.device("cpu")
    assert rh.get_device("meta") == torch.device("meta")


def _regression_problem():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(200, 3, generator=g)
    y = X @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3
    return X, y


def _fit(clip_norm=None, lr=0.1, epochs=5):
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    X, y = _regression_problem()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    hist = rh.train(
        model,
        torch.nn.functional.mse_loss,
        X,
        y,
        optimizer=opt,
        epochs=epochs,
        batch_size=32,
        clip_norm=clip_norm,
        val_data=(X, y),
        progress=False,
    )
    return model, hist


def test_train_learns_records_history_and_is_deterministic():
    model, hist = _fit()
    steps_per_epoch = int(np.ceil(200 / 32))
    assert len(hist.loss) == len(hist.grad_norm) == 5 * steps_per_epoch
    assert len(hist.epoch_loss) == len(hist.val_loss) == 5
    assert hist.val_loss[-1] < 0.01 * hist.loss[0]  # it really learned the linear map
    np.testing.assert_allclose(model.weight.detach().numpy(), [[1.0, -2.0, 0.5]], atol=0.05)
    _, again = _fit()
    assert again.loss == hist.loss


def test_train_clips_the_gradient_norm():
    # With SGD at lr=1 one step moves the parameters by exactly the clipped gradient.
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    before = torch.cat([p.detach().flatten().clone() for p in model.parameters()])
    X, y = _regression_problem()
    y = y * 100  # large errors: large gradients
    hist = rh.train(
        model,
        torch.nn.functional.mse_loss,
        X[:32],
        y[:32],
        optimizer=torch.optim.SGD(model.parameters(), lr=1.0),
        epochs=1,
        batch_size=32,
        clip_norm=0.5,
        progress=False,
    )
    after = torch.cat([p.detach().flatten() for p in model.parameters()])
    assert hist.grad_norm[0] > 10  # the norm is recorded before clipping
    assert abs(torch.linalg.vector_norm(after - before).item() - 0.5) < 1e-5


def test_grad_norm_is_global_l2_norm():
    a = torch.nn.Parameter(torch.zeros(2))
    b = torch.nn.Parameter(torch.zeros(1))
    a.grad, b.grad = torch.tensor([3.0, 0.0]), torch.tensor([4.0])
    assert rh.grad_norm([a, b]) == pytest.approx(5.0)


def test_minibatches_cover_every_index_once():
    batches = list(rh.minibatches(10, 4, np.random.default_rng(0)))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate(batches)) == list(range(10))
    assert [list(b) for b in rh.minibatches(5, 2, np.random.default_rng(0), shuffle=False)] == [[0, 1], [2, 3], [4]]


def test_load_digits_is_a_deterministic_disjoint_split():
    X_tr, y_tr, X_te, y_te = rh.load_digits(test_fraction=0.25, seed=0)
    assert X_tr.shape == (1348, 64) and X_te.shape == (449, 64)
    assert X_tr.dtype == np.float64 and y_tr.dtype == np.int64
    assert 0.0 <= X_tr.min() and X_tr.max() <= 1.0
    assert set(np.unique(y_te)) == set(range(10))
    tr, te = rh.train_test_split(1797, 0.25, seed=0)
    assert len(np.intersect1d(tr, te)) == 0 and len(tr) + len(te) == 1797
    np.testing.assert_array_equal(rh.load_digits(seed=0)[0], X_tr)


def test_make_spirals_shapes_balance_and_determinism():
    X, y = rh.make_spirals(n_per_class=50, n_classes=4, seed=1)
    assert X.shape == (200, 2) and y.shape == (200,)
    assert np.bincount(y).tolist() == [50] * 4
    assert np.all(np.linalg.norm(X, axis=1) <= 1.0 + 1e-12)
    np.testing.assert_array_equal(rh.make_spirals(n_per_class=50, n_classes=4, seed=1)[0], X)


def test_data_dir_holds_the_provenance_file():
    assert (rh.data_dir() / "README.md").is_file()


def test_smooth_is_a_trailing_moving_average():
    v = np.arange(10.0)
    out = rh.smooth(v, window=3)
    assert out[0] == 0.0 and out[1] == 0.5
    np.testing.assert_allclose(out[2:], np.convolve(v, np.ones(3) / 3, mode="valid"))


def test_plot_loss_draws_one_line_per_curve_and_a_smoothed_overlay():
    ax = rh.plot_loss({"a": [3, 2, 1], "b": [4, 3, 2]}, title="t", log=True)
    assert len(ax.lines) == 2 and ax.get_yscale() == "log" and ax.get_title() == "t"
    ax = rh.plot_loss([3.0, 2.0, 1.0, 0.5], window=2)
    assert len(ax.lines) == 2  # faint raw curve and its moving average
    plt.close("all")


def test_plot_decision_boundary_colours_the_plane_by_prediction():
    X, y = rh.make_spirals(n_per_class=20, n_classes=2, seed=0)
    ax = rh.plot_decision_boundary(lambda g: (g[:, 0] > 0).astype(int), X, y, resolution=50, title="half-plane")
    assert ax.get_title() == "half-plane" and ax.get_xlabel() == "$x_1$"
    assert len(ax.collections) >= 3  # the filled contour and one scatter per class
    plt.close("all")


def test_glue_stores_numpy_scalars_as_python_numbers(monkeypatch):
    """myst-nb formats glued values from their repr; np.float64(...) would break `{glue:text}`key:.3f``."""
    import myst_nb

    stored = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=False: stored.update({name: value}))
    rh.glue("a", np.float64(0.25))
    rh.glue("b", np.int64(3))
    rh.glue("c", "text")
    assert stored == {"a": 0.25, "b": 3, "c": "text"}
    assert type(stored["a"]) is float and type(stored["b"]) is int


def test_every_shipped_data_file_is_documented_with_its_sha256():
    """Each data file has a line 'SHA-256 of `name`: `hash`' in data/README.md,
    and the hash is that of the file as shipped (a changed file must be
    re-documented)."""
    import hashlib
    import re

    readme = (rh.data_dir() / "README.md").read_text()
    files = sorted(
        p for p in rh.data_dir().iterdir() if p.suffix in {".txt", ".csv"} and not p.name.endswith("LICENSE.txt")
    )
    assert len(files) >= 5, f"expected the shipped data files, found {files}"
    for path in files:
        assert f"`{path.name}`" in readme, f"{path.name} is not in data/README.md"
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        stated = re.findall(rf"SHA-256 of `{re.escape(path.name)}`: `([0-9a-f]{{64}})`", readme)
        assert len(stated) == 1, f"data/README.md needs one line 'SHA-256 of `{path.name}`: `...`'"
        assert stated[0] == digest, f"{path.name}: README says {stated[0]}, file hashes to {digest}"


def test_speed_index_is_the_geometric_mean_of_speed_ratios():
    from rnn_helpers.env import REFERENCE_S

    assert rh.speed_index(dict(REFERENCE_S)) == pytest.approx(1.0)
    twice = {k: v / 2 for k, v in REFERENCE_S.items()}
    assert rh.speed_index(twice) == pytest.approx(2.0)
    mixed = {"python": REFERENCE_S["python"] / 4, "torch": REFERENCE_S["torch"]}
    assert rh.speed_index(mixed) == pytest.approx(2.0)  # sqrt(4 * 1)
    with pytest.raises(ValueError, match="positive seconds for \\['python', 'torch'\\]"):
        rh.speed_index({"python": 0.3})
    with pytest.raises(ValueError, match="'repeats' must be a positive int, got 0"):
        rh.env.reference_workload(0)
