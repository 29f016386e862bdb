"""The command line: ``python -m sklreg fit`` and ``python -m sklreg demo``.

Each subprocess pays the import of scikit-learn (seconds on a loaded
machine), so two runs go through a real subprocess (a good fit writing a
plot and a JSON; a bad input giving exit code 2 without a traceback) and the
rest call ``sklreg._cli.main`` in-process, which is what ``__main__`` runs.
"""
import csv
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import sklreg
from sklreg._cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FEATURES = ["size", "age", "dist", "rooms"]
PNG = b"\x89PNG"


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        if header is not None:
            writer.writerow(header)
        writer.writerows(rows)
    return str(path)


@pytest.fixture
def data(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 4))
    y = X @ np.array([1.5, 0.0, -2.0, 0.5]) + 3 + 0.5 * rng.standard_normal(60)
    path = write_csv(tmp_path / "house.csv", FEATURES + ["price"],
                     np.column_stack([X, y]).tolist())
    return path, np.asfortranarray(X), y


def run(*args):
    return subprocess.run([sys.executable, "-m", "sklreg", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_subprocess_fit_writes_plot_and_json(data, tmp_path):
    path, X, y = data
    png, out = tmp_path / "path.png", tmp_path / "model.json"
    proc = run("fit", path, "--target", "price", "--model", "lasso", "--alpha", "0.05",
               "--plot", str(png), "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    for word in FEATURES + ["intercept", "alpha", "dual gap"]:
        assert word in proc.stdout
    assert png.read_bytes()[:4] == PNG
    model = json.loads(out.read_text())
    expected = sklreg.Lasso(alpha=0.05).fit(X, y)
    np.testing.assert_allclose([model["coef"][f] for f in FEATURES], expected.coef_,
                               atol=1e-6)


def test_subprocess_bad_input_exit_code_2(data):
    proc = run("fit", data[0], "--target", "cost")
    assert proc.returncode == 2
    assert "'cost'" in proc.stderr and "Traceback" not in proc.stderr


MODELS = [("lasso", []), ("elasticnet", ["--l1-ratio", "0.7"]), ("ridge", []),
          ("huber", []), ("quantile", ["--quantile", "0.8"])]


@pytest.mark.parametrize("model, extra", MODELS)
@pytest.mark.parametrize("how", [["--alpha", "0.1"], ["--cv", "3"]])
def test_fit_every_model(data, tmp_path, capsys, model, extra, how):
    path, X, y = data
    out = tmp_path / "m.json"
    assert main(["fit", path, "--target", "price", "--model", model, *extra, *how,
                 "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert all(f in printed for f in FEATURES) and "dual gap" in printed
    saved = json.loads(out.read_text())
    assert saved["features"] == FEATURES and saved["model"] == model
    assert set(saved) >= {"alpha", "intercept", "coef", "dual_gap", "n_iter"}
    # the JSON holds exactly what the Python API fits at that alpha
    from sklreg._cli import MODELS as CLASSES
    params = {"l1_ratio": 0.7} if model == "elasticnet" else {}
    if model == "quantile":
        params["quantile"] = 0.8
    ref = getattr(sklreg, CLASSES[model][0])(alpha=saved["alpha"], **params).fit(X, y)
    coef = np.array([saved["coef"][f] for f in FEATURES])
    scale = 1 + np.abs(ref.coef_).max()
    np.testing.assert_allclose(coef, ref.coef_, atol=1e-3 * scale)
    np.testing.assert_allclose(saved["intercept"], ref.intercept_, atol=1e-3 * scale)
    if how[0] == "--cv":
        assert saved["cv"]["folds"] == 3
    else:
        assert saved["alpha"] == 0.1


@pytest.mark.parametrize("model", ["lasso", "ridge"])   # PathCV and RidgeCV marks
def test_cv_plot(data, tmp_path, capsys, model):
    png = tmp_path / "cv.png"
    assert main(["fit", data[0], "--target", "price", "--model", model, "--cv", "3",
                 "--plot", str(png)]) == 0
    assert png.read_bytes()[:4] == PNG
    assert str(png) in capsys.readouterr().out


def _bad_files(tmp_path):
    good = FEATURES + ["price"]
    return {
        "missing target": (write_csv(tmp_path / "a.csv", good, [[1, 2, 3, 4, 5]] * 5),
                           ["--target", "cost"], "'cost'"),
        "non-numeric": (write_csv(tmp_path / "b.csv", good,
                                  [[1, 2, 3, 4, 5]] * 3 + [[1, "old", 3, 4, 5]]),
                        [], "'age'"),
        "empty cell": (write_csv(tmp_path / "c.csv", good, [[1, 2, "", 4, 5]] * 4),
                       [], "'dist'"),
        "empty file": (write_csv(tmp_path / "d.csv", None, []), [], "empty"),
        "header only": (write_csv(tmp_path / "e.csv", good, []), [], "no data rows"),
        "ragged row": (write_csv(tmp_path / "f.csv", good, [[1, 2, 3, 4, 5], [1, 2]]),
                       [], "line 3"),
        "no such file": (str(tmp_path / "nope.csv"), [], "nope.csv"),
        "quantile out of range": (write_csv(tmp_path / "g.csv", good, [[1, 2, 3, 4, 5]] * 5),
                                  ["--model", "quantile", "--quantile", "1.5"],
                                  "--quantile"),
        "quantile for lasso": (write_csv(tmp_path / "h.csv", good, [[1, 2, 3, 4, 5]] * 5),
                               ["--quantile", "0.5"], "--quantile"),
        "negative alpha": (write_csv(tmp_path / "i.csv", good, [[1, 2, 3, 4, 5]] * 5),
                           ["--alpha", "-1"], "--alpha"),
    }


@pytest.mark.parametrize("case", ["missing target", "non-numeric", "empty cell",
                                  "empty file", "header only", "ragged row",
                                  "no such file", "quantile out of range",
                                  "quantile for lasso", "negative alpha"])
def test_bad_input_exit_code_2(tmp_path, capsys, case):
    path, extra, named = _bad_files(tmp_path)[case]
    argv = ["fit", path, *extra]
    if "--target" not in extra:
        argv += ["--target", "price"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "error" in err and named in err


@pytest.mark.parametrize("argv", [["--model", "lasso2"], ["--alpha", "1", "--cv", "3"],
                                  ["--alpha", "abc"]])
def test_bad_options_exit_code_2(data, capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(["fit", data[0], "--target", "price", *argv])
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err


def test_help_documents_every_option(capsys):
    with pytest.raises(SystemExit):
        main(["fit", "--help"])
    text = capsys.readouterr().out
    for option in ["--target", "--model", "--quantile", "--l1-ratio", "--alpha", "--cv",
                   "--plot", "--output"]:
        assert option in text


def test_demo_quick_writes_pngs(tmp_path, capsys):
    assert main(["demo", "--quick", "--no-sklearn", "--output-dir", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    for name in ["LassoCV", "ElasticNetCV", "RidgeCV", "HuberRegressorCV",
                 "QuantileRegressorCV"]:
        assert name in printed
    for kind in ["path", "cv"]:
        png = tmp_path / f"sklreg_demo_{kind}.png"
        assert png.read_bytes()[:4] == PNG and str(png) in printed
