"""The Python front: scikit-learn conventions, the input kinds, interop with the CLI, errors,
Ctrl-C. Run from the repository root after `cargo build --release -p dann-cli` and
`maturin develop --release -m crates/dann-py/Cargo.toml` (what .ci/run does)."""

import os
import pickle
import subprocess
import threading
import _thread
import time

import numpy as np
import pytest

import dann

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DANN_BIN = os.environ.get("DANN_BIN", os.path.join(ROOT, "target", "release", "dann"))


def moons(n, seed, angle=0.0):
    """Two interleaving half circles (scikit-learn's make_moons, written out so that the
    tests need only numpy), rotated by `angle` degrees around their centre."""
    rng = np.random.default_rng(seed)
    half = n // 2
    t = rng.uniform(0, np.pi, n)
    y = (np.arange(n) >= half).astype(int)
    x = np.where(y == 0, np.cos(t), 1 - np.cos(t))
    z = np.where(y == 0, np.sin(t), 1 - np.sin(t) - 0.5)
    X = np.stack([x, z], axis=1) + rng.normal(0, 0.1, (n, 2))
    a = np.radians(angle)
    R = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    X = (X - [0.5, 0.25]) @ R.T + [0.5, 0.25]
    perm = rng.permutation(n)
    return X[perm].astype(np.float32), y[perm]


@pytest.fixture(scope="module")
def data():
    Xs, ys = moons(400, 0)
    Xt, yt = moons(400, 1, angle=30)
    return Xs, ys, Xt, yt


def fit(Xs, ys, Xt=None, **kw):
    kw.setdefault("iterations", 600)
    kw.setdefault("seed", 0)
    return dann.DANN(**kw).fit(Xs, ys, X_target=Xt)


def cli(*args):
    if not os.path.exists(DANN_BIN):
        pytest.fail(f"no dann binary at {DANN_BIN}: cargo build --release -p dann-cli, or set DANN_BIN")
    r = subprocess.run([DANN_BIN, *args], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def write_csv(path, X, y=None):
    with open(path, "w") as f:
        cols = [f"x{j}" for j in range(X.shape[1])]
        f.write(",".join(cols + (["label"] if y is not None else [])) + "\n")
        for i, row in enumerate(X):
            cells = ["%.9g" % v for v in row]  # float32 values, written exactly
            if y is not None:
                cells.append(str(y[i]))
            f.write(",".join(cells) + "\n")


def test_fit_predict_follow_scikit_learns_conventions(data):
    Xs, ys, Xt, yt = data
    est = dann.DANN(iterations=600, seed=0)
    assert est.fit(Xs, ys, X_target=Xt) is est
    assert est.n_features_in_ == 2
    assert list(est.classes_) == [0, 1]
    proba = est.predict_proba(Xt)
    assert proba.shape == (len(Xt), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert set(np.unique(est.predict(Xt))) <= {0, 1}
    assert est.score(Xs, ys) > 0.8
    assert est.transform(Xt).shape == (len(Xt), 100)
    d = est.domain_proba(Xt)
    assert d.shape == (len(Xt),) and np.all((d >= 0) & (d <= 1))
    assert est.settings_["train"]["iterations"] == 600
    params = est.get_params()
    assert params["iterations"] == 600 and params["hidden_layer_sizes"] is None
    est.set_params(iterations=5)
    assert est.iterations == 5
    with pytest.raises(ValueError, match="Invalid parameter"):
        est.set_params(bogus=1)


def test_string_labels_come_back_as_given(data):
    Xs, ys, Xt, _ = data
    names = np.array(["cat", "dog"])[ys]
    est = fit(Xs, names, Xt)
    assert list(est.classes_) == ["cat", "dog"]
    assert set(est.predict(Xt)) <= {"cat", "dog"}


def test_source_only_without_a_target(data):
    Xs, ys, Xt, _ = data
    est = fit(Xs, ys)
    assert est.settings_["train"]["mode"] == "source_only"
    assert est.score(Xs, ys) > 0.8


def test_scikit_learn_clone_and_pipeline(data):
    sklearn = pytest.importorskip("sklearn")
    from sklearn.base import clone

    Xs, ys, Xt, _ = data
    est = dann.DANN(iterations=300, lambda_max=1.0)
    c = clone(est)
    assert c.get_params() == est.get_params() and c is not est
    assert sklearn is not None


def test_numpy_layouts_csr_and_dataframes_give_the_same_model(data):
    Xs, ys, Xt, _ = data
    ref = fit(Xs, ys, Xt).predict_proba(Xt)
    for X, T in [
        (Xs.astype(np.float64), Xt.astype(np.float64)),
        (np.asfortranarray(Xs), np.asfortranarray(Xt)),
    ]:
        np.testing.assert_array_equal(fit(X, ys, T).predict_proba(Xt), ref)
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(Xs, columns=["a", "b"])
    est = fit(frame, ys, pd.DataFrame(Xt, columns=["a", "b"]))
    assert list(est.feature_names_in_) == ["a", "b"]
    np.testing.assert_array_equal(est.predict_proba(pd.DataFrame(Xt, columns=["a", "b"])), ref)
    # Columns are matched by name, not position.
    swapped = pd.DataFrame({"b": Xt[:, 1], "a": Xt[:, 0]})
    np.testing.assert_array_equal(est.predict_proba(swapped), ref)
    with pytest.raises(ValueError, match="lacks the column"):
        est.predict_proba(pd.DataFrame({"a": Xt[:, 0], "c": Xt[:, 1]}))
    # A CSR matrix of these (all non-zero) numbers trains as the dense rows it is.
    sparse = pytest.importorskip("scipy.sparse")
    csr = fit(sparse.csr_matrix(Xs), ys, sparse.csr_matrix(Xt))
    np.testing.assert_allclose(csr.predict_proba(sparse.csr_matrix(Xt)), ref, atol=1e-6)
    np.testing.assert_allclose(csr.predict_proba(Xt), ref, atol=1e-6)
    # Sparse rows (fewer than half the cells stored) keep the sparse defaults; with settings
    # that do not depend on them (the paper's), CSR and dense give one model.
    Xs0, Xt0 = np.hstack([Xs, np.zeros((len(Xs), 4), np.float32)]), \
        np.hstack([Xt, np.zeros((len(Xt), 4), np.float32)])
    ref0 = fit(Xs0, ys, Xt0, preset="paper").predict_proba(Xt0)
    csr0 = fit(sparse.csr_matrix(Xs0), ys, sparse.csr_matrix(Xt0), preset="paper")
    np.testing.assert_allclose(csr0.predict_proba(sparse.csr_matrix(Xt0)), ref0, atol=1e-5)


def test_the_same_seed_and_data_give_the_clis_model(tmp_path, data):
    Xs, ys, Xt, _ = data
    write_csv(tmp_path / "s.csv", Xs, ys)
    write_csv(tmp_path / "t.csv", Xt)
    out = tmp_path / "run"
    cli("train", "--source", str(tmp_path / "s.csv"), "--target", str(tmp_path / "t.csv"),
        "--out", str(out), "--iterations", "600", "--seed", "0", "--quiet")
    from_cli = dann.load(out)
    assert list(from_cli.classes_) == ["0", "1"]  # the CLI keeps labels as text
    np.testing.assert_allclose(from_cli.predict_proba(Xt), fit(Xs, ys, Xt).predict_proba(Xt),
                               atol=1e-6)


def test_a_python_model_is_evaluated_by_the_cli_and_comes_back(tmp_path, data):
    Xs, ys, Xt, yt = data
    est = fit(Xs, ys, Xt)
    est.save(tmp_path / "m")
    write_csv(tmp_path / "test.csv", Xt, yt)
    import json

    report = json.loads(cli("eval", "--model", str(tmp_path / "m"), "--data",
                            str(tmp_path / "test.csv"), "--json"))
    assert abs(report["accuracy"] - est.score(Xt, yt)) < 1e-9
    back = dann.load(tmp_path / "m")
    assert list(back.classes_) == [0, 1]
    np.testing.assert_array_equal(back.predict_proba(Xt), est.predict_proba(Xt))


def test_pickle_round_trips(data):
    Xs, ys, Xt, _ = data
    est = fit(Xs, ys, Xt)
    back = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(back.predict_proba(Xt), est.predict_proba(Xt))
    assert back.get_params() == est.get_params()
    assert list(back.classes_) == list(est.classes_)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda X, y: (np.where(np.arange(X.size).reshape(X.shape) == 5, np.nan, X), y),
         "not a finite number.*row 2, column 1"),
        (lambda X, y: (X[:, 0], y), "Expected 2D array.*Reshape your data"),
        (lambda X, y: (X, y[:-1]), "rows but y has"),
        (lambda X, y: (X.astype(str), y), "must hold numbers"),
    ],
)
def test_bad_inputs_are_value_errors(data, mutate, message):
    Xs, ys, Xt, _ = data
    X, y = mutate(Xs, ys)
    with pytest.raises(ValueError, match=message):
        dann.DANN(iterations=5).fit(X, y, X_target=Xt)


def test_wrong_width_and_bad_settings_say_what(data):
    Xs, ys, Xt, _ = data
    est = fit(Xs, ys, Xt)
    with pytest.raises(ValueError, match="X has 3 features, but DANN is expecting 2 features"):
        est.predict(np.zeros((4, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="batch_size"):
        dann.DANN(batch_size=0).fit(Xs, ys, X_target=Xt)
    with pytest.raises(ValueError, match="preset"):
        dann.DANN(preset="fast").fit(Xs, ys, X_target=Xt)
    with pytest.raises(Exception, match="not fitted"):
        dann.DANN().predict(Xt)


def test_ctrl_c_stops_training_within_a_second(data):
    Xs, ys, Xt, _ = data
    est = dann.DANN(iterations=10_000_000, engine="burn")
    timer = threading.Timer(1.0, _thread.interrupt_main)
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        est.fit(Xs, ys, X_target=Xt)
    elapsed = time.monotonic() - start
    timer.cancel()
    assert elapsed < 2.5, elapsed
    assert not hasattr(est, "_model")


@pytest.mark.parametrize("estimator", [None, "burn"])
def test_ctrl_c_stops_select_and_leaves_no_run(tmp_path, data, estimator):
    """Ctrl-C during a selection (the kernels' or burn's candidates, trained on rayon's
    threads) raises KeyboardInterrupt within a second or two, and the run folder gets nothing."""
    Xs, ys, Xt, _ = data
    rows = lambda X: np.tile(X, (20, 1))  # noqa: E731
    kw = {"grid": {"lambdas": [0.01, 0.1, 1.0, 3.0], "hidden": [50, 100]}}
    if estimator == "burn":
        kw["estimator"] = dann.DANN(activation="relu", iterations=1_000_000)
    timer = threading.Timer(1.0, _thread.interrupt_main)
    start = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            dann.select(rows(Xs), np.tile(ys, 20), rows(Xt), out=tmp_path / "run", **kw)
    finally:
        timer.cancel()
    elapsed = time.monotonic() - start
    assert elapsed < 3.0, elapsed
    assert not (tmp_path / "run" / "select.json").exists()
    assert not (tmp_path / "run").exists() or not any((tmp_path / "run").iterdir())


def test_regressor(data):
    Xs, _, Xt, _ = data
    y = 2.0 * Xs[:, 0] - Xs[:, 1]
    est = dann.DANNRegressor(iterations=800, seed=0).fit(Xs, y, X_target=Xt)
    assert est.score(Xs, y) > 0.9
    assert est.predict(Xt).shape == (len(Xt),)
    back = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(back.predict(Xt), est.predict(Xt))
    with pytest.raises(ValueError, match="finite"):
        dann.DANNRegressor().fit(Xs, np.full(len(Xs), np.nan), X_target=Xt)


def test_shift_is_the_clis_and_sees_a_translation(tmp_path, data):
    Xs, ys, Xt, _ = data
    s = dann.shift(Xs, Xt, seed=0)
    assert isinstance(s, dann.Shift) and 0.0 <= s.pad <= 2.0
    assert s.pad_interval[0] <= s.pad <= s.pad_interval[1]
    assert s.to_dict()["auc"] == s.auc
    write_csv(tmp_path / "s.csv", Xs)
    write_csv(tmp_path / "t.csv", Xt)
    import json

    from_cli = json.loads(cli("shift", "--source", str(tmp_path / "s.csv"), "--target",
                              str(tmp_path / "t.csv"), "--json", "--seed", "0"))
    assert from_cli["pad"] == pytest.approx(s.pad, abs=1e-12)
    assert from_cli["auc"] == pytest.approx(s.auc, abs=1e-12)
    assert from_cli["p_value"] == pytest.approx(s.p_value, abs=1e-12)
    # A linear domain classifier barely sees the rotation; it sees a translation.
    same, _ = moons(400, 2)
    moved = dann.shift(Xs, Xt + np.float32([1.5, 0.0]), seed=0)
    assert moved.pad > 1.0 and moved.p_value < 0.01
    assert dann.shift(Xs, same, seed=0).pad < 0.3
    assert dann.proxy_a_distance(Xs, Xt, seed=0) == pytest.approx(s.pad, abs=1e-12)
    est = fit(Xs, ys, Xt)
    on_features = dann.shift(Xs, Xt, model=est)
    assert on_features.space != s.space and on_features.top_features == []


@pytest.mark.parametrize("make", [lambda: dann.DANN(iterations=200),
                                  lambda: dann.DANNRegressor(iterations=200)])
def test_scikit_learns_check_estimator(make):
    """Every check scikit-learn has for an estimator, a classifier or regressor, and a
    transformer. They call fit(X, y) without X_target: the source-only network (the checks
    know no second, unlabelled input); DANN's own path is the other tests'."""
    pytest.importorskip("sklearn")
    import warnings

    from sklearn.utils.estimator_checks import check_estimator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(make(), on_fail=None)
    failed = [(r["check_name"], str(r["exception"])[:300]) for r in results
              if r["status"] == "failed"]
    assert not failed, failed
    assert sum(r["status"] == "passed" for r in results) > 50


def test_select_is_the_clis_on_both_engines(tmp_path, data):
    Xs, ys, Xt, yt = data
    write_csv(tmp_path / "s.csv", Xs, ys)
    write_csv(tmp_path / "t.csv", Xt)
    import json

    grid = {"lambdas": [0.1, 1.0], "hidden": [20]}
    r = dann.select(Xs, ys, Xt, grid=grid, out=tmp_path / "py")
    assert r.verdict in {"helps", "does_not_help", "too_close_to_call"}
    assert len(r.candidates) == 2 and r.path == str(tmp_path / "py")
    assert list(r.model.classes_) == [0, 1] and 0.0 <= r.model.score(Xt, yt) <= 1.0
    (tmp_path / "sel.toml").write_text("[select]\nlambdas = [0.1, 1.0]\nhidden = [20]\n")
    cli("select", "--source", str(tmp_path / "s.csv"), "--target", str(tmp_path / "t.csv"),
        "--config", str(tmp_path / "sel.toml"), "--out", str(tmp_path / "cli"), "--quiet")
    from_cli = json.loads((tmp_path / "cli" / "select.json").read_text())
    assert [c["reverse"] for c in from_cli["candidates"]] == list(r.candidates["reverse"]) \
        if hasattr(r.candidates, "columns") else [c["reverse"] for c in r.candidates]
    np.testing.assert_array_equal(dann.load(tmp_path / "cli").predict_proba(Xt),
                                  r.model.predict_proba(Xt))
    with pytest.raises(ValueError, match="already holds a model"):
        dann.select(Xs, ys, Xt, grid=grid, out=tmp_path / "py")
    # Settings the kernels cannot run select on burn, with an optimiser axis.
    deep = dann.select(Xs, ys, Xt, grid={"lambdas": [0.3], "hidden": [20],
                                         "optimizers": [{"kind": "sgd"}, {"kind": "adam"}]},
                       estimator=dann.DANN(activation="relu", iterations=200))
    assert deep.report["engine"] == "burn" and len(deep.candidates) == 2


def test_dask_scores_and_measures_parts_exactly_as_one_process(tmp_path, data, monkeypatch):
    """The example's functions on a LocalCluster of worker processes give what one process
    gives, part by part."""
    distributed = pytest.importorskip("dask.distributed")

    # The worker processes import the example's functions by name.
    examples = os.path.join(ROOT, "crates", "dann-py", "examples")
    monkeypatch.syspath_prepend(examples)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [examples] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    import dask_scoring as example

    Xs, ys, Xt, _ = data
    fit(Xs, ys, Xt).save(tmp_path / "model")
    write_csv(tmp_path / "source.csv", Xs)
    parts = []
    for k, rows in enumerate(np.array_split(np.arange(len(Xt)), 4)):
        part = Xt[rows] + np.float32(k * 0.5)  # later parts drift
        write_csv(tmp_path / f"part{k}.csv", part)
        parts.append(str(tmp_path / f"part{k}.csv"))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            scores, shifts = example.run(client, str(tmp_path / "model"),
                                         str(tmp_path / "source.csv"), parts)
    local = dann.load(tmp_path / "model")
    for path, (labels, proba), s in zip(parts, scores, shifts):
        X = example.read_part(path)
        np.testing.assert_array_equal(labels, local.predict(X))
        np.testing.assert_array_equal(proba, local.predict_proba(X))
        expected = dann.shift(example.read_part(str(tmp_path / "source.csv")), X).to_dict()
        assert {k: v for k, v in s.items() if k != "seconds"} == \
            {k: v for k, v in expected.items() if k != "seconds"}
    assert shifts[-1]["pad"] > shifts[0]["pad"]


def test_image_arrays_with_a_network_preset():
    rng = np.random.default_rng(0)
    X = rng.random((48, 1, 28, 28), dtype=np.float32)
    y = np.arange(48) % 2
    X[y == 1, :, 10:18, 10:18] += 1.0  # a bright square marks class 1
    # Grey source, colour target (MNIST -> MNIST-M): the network's preprocessing makes both
    # 3 x 28 x 28.
    Xt = np.repeat(np.clip(X[::-1] * 0.8 + 0.1, 0, 1), 3, axis=1)
    est = dann.DANN(network="mnist", iterations=3, batch_size=16).fit(X, y, X_target=Xt)
    assert est.sample_shape_ == (1, 28, 28)
    assert est.settings_["model"]["conv"] is not None
    assert est.predict_proba(Xt).shape == (48, 2)
    assert est.predict(Xt[:5]).shape == (5,)
    # Channels-last images transposed to N x C x H x W (a strided view, copied once by the
    # native side) are the same rows as their contiguous copy.
    channels_last = np.ascontiguousarray(Xt.transpose(0, 2, 3, 1))
    view = channels_last.transpose(0, 3, 1, 2)
    assert not view.flags.c_contiguous
    np.testing.assert_array_equal(est.predict_proba(view), est.predict_proba(Xt))
    np.testing.assert_array_equal(est.transform(view), est.transform(Xt))
    bad = view.copy()
    bad[7, 2, 3, 4] = np.nan
    with pytest.raises(ValueError, match=r"row 7, column 1656"):
        est.predict(bad)
    with pytest.raises(ValueError, match="network"):
        dann.DANN(network="resnet").fit(X, y, X_target=Xt)


def test_verbose_prints_the_progress_lines(capfd, data):
    Xs, ys, Xt, _ = data
    dann.DANN(iterations=400, verbose=True).fit(Xs, ys, X_target=Xt)
    err = capfd.readouterr().err
    assert "iter     400: label loss" in err and "lambda" in err
    dann.DANN(iterations=400).fit(Xs, ys, X_target=Xt)
    assert "iter" not in capfd.readouterr().err


def test_training_releases_the_gil(data):
    """Another Python thread keeps running while a model trains."""
    Xs, ys, Xt, _ = data
    ticks = []
    done = threading.Event()

    def count():
        while not done.is_set():
            ticks.append(1)
            time.sleep(0.001)

    t = threading.Thread(target=count)
    t.start()
    try:
        before = len(ticks)
        dann.DANN(iterations=20_000, engine="burn").fit(Xs, ys, X_target=Xt)
        during = len(ticks) - before
    finally:
        done.set()
        t.join()
    assert during > 50, during


def test_a_dataframe_model_is_read_by_the_cli_by_column_name(tmp_path, data):
    pd = pytest.importorskip("pandas")
    Xs, ys, Xt, yt = data
    frame = lambda X: pd.DataFrame({"a": X[:, 0], "b": X[:, 1]})  # noqa: E731
    est = fit(frame(Xs), ys, frame(Xt))
    est.save(tmp_path / "m")
    # The test file's columns in another order, the label first.
    with open(tmp_path / "test.csv", "w") as f:
        f.write("label,b,a\n")
        for (a, b), label in zip(Xt, yt):
            f.write(f"{label},{b:.9g},{a:.9g}\n")
    import json

    report = json.loads(cli("eval", "--model", str(tmp_path / "m"), "--data",
                            str(tmp_path / "test.csv"), "--json"))
    assert abs(report["accuracy"] - est.score(frame(Xt), yt)) < 1e-9
    with open(tmp_path / "bad.csv", "w") as f:
        f.write("label,a,c\n0,1.0,2.0\n")
    r = subprocess.run([DANN_BIN, "eval", "--model", str(tmp_path / "m"), "--data",
                        str(tmp_path / "bad.csv")], capture_output=True, text=True)
    assert r.returncode != 0 and "b" in r.stderr, r.stderr
    assert list(dann.load(tmp_path / "m").feature_names_in_) == ["a", "b"]


def test_the_readmes_example_runs(tmp_path, monkeypatch):
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    section = readme[readme.index("\n## Python\n"):]
    start = section.index("```python\n") + len("```python\n")
    block = section[start:section.index("```", start)]
    assert len(block.strip().splitlines()) == 10
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README.md", "exec"), {})
    assert (tmp_path / "run" / "model.json").exists()
