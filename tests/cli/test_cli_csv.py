"""The command line on real CSV files (issue 23, item 6): standardized
features, the CV grid options, feature selection, other separators, both
readers (pandas and NumPy), predicting with a saved model, and outputs
checked before any fitting."""
import json
import subprocess
import sys

import numpy as np
import pytest

import sklreg
from sklreg._cli import main
from sklreg._csv import read_table

FEATURES = ["size", "age", "dist", "rooms"]


def write(path, lines):
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.fixture
def table(tmp_path):
    """Features on very different scales, an ID and a text column."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((80, 4)) * [1000.0, 1.0, 0.01, 10.0]
    y = X @ [0.002, 1.0, 100.0, -0.1] + 5 + 0.3 * rng.standard_normal(80)
    lines = [",".join(["id"] + FEATURES + ["price", "city"])]
    lines += [",".join([f"h{i}"] + [repr(float(v)) for v in row] + [repr(float(t)), "Oslo"])
              for i, (row, t) in enumerate(zip(X, y))]
    return write(tmp_path / "house.csv", lines), np.asfortranarray(X), y


@pytest.fixture(params=["pandas", "numpy"])
def reader(request, monkeypatch):
    """Run a test with pandas' reader and with NumPy's (pandas hidden)."""
    if request.param == "pandas":
        pytest.importorskip("pandas")
    else:
        monkeypatch.setitem(sys.modules, "pandas", None)
    return request.param


def fit_json(tmp_path, *argv):
    out = tmp_path / "model.json"
    assert main(["fit", *argv, "--output", str(out)]) == 0
    return json.loads(out.read_text())


def coef(model):
    return np.array([model["coef"][name] for name in model["features"]])


def test_read_table_matches_the_values(table, reader):
    path, X, y = table
    Xr, yr, names = read_table(path, target="price", drop=["id", "city"])
    assert names == FEATURES
    np.testing.assert_array_equal(Xr, X)          # repr round-trips exactly
    np.testing.assert_array_equal(yr, y)
    assert Xr.flags.f_contiguous


def test_text_column_is_named_with_the_way_out(table, capsys, reader):
    assert main(["fit", table[0], "--target", "price", "--alpha", "1"]) == 2
    err = capsys.readouterr().err
    assert "'id'" in err and "'h0'" in err and "line 2" in err and "--drop" in err


@pytest.mark.parametrize("cell, shown", [("", "an empty value"), ("old", "the value 'old'"),
                                         ("inf", "the value 'inf'")])
def test_bad_cell_named_by_column_and_line(tmp_path, capsys, reader, cell, shown):
    # a blank line before the bad one: line numbers are the file's
    path = write(tmp_path / "b.csv", ["a,b,y", "1,2,3", "", "4,5,6", f"7,{cell},9"])
    assert main(["fit", path, "--target", "y", "--alpha", "1"]) == 2
    err = capsys.readouterr().err
    assert f"column 'b' has {shown} on line 5 of {path}" in err


def test_columns_and_drop_select_features(table, tmp_path):
    path, X, y = table
    picked = fit_json(tmp_path, path, "--target", "price", "--columns", "dist, size",
                      "--alpha", "0.5")
    assert picked["features"] == ["dist", "size"]
    ref = sklreg.Lasso(alpha=0.5).fit(np.asfortranarray(X[:, [2, 0]]), y)
    np.testing.assert_allclose(coef(picked), ref.coef_, rtol=1e-6, atol=1e-8)
    dropped = fit_json(tmp_path, path, "--target", "price", "--drop", "id,city,age",
                       "--alpha", "0.5")
    assert dropped["features"] == ["size", "dist", "rooms"]


def test_standardize_fits_unit_variance_features(table, tmp_path):
    path, X, y = table
    model = fit_json(tmp_path, path, "--target", "price", "--drop", "id,city",
                     "--standardize", "--alpha", "0.05")
    std = X.std(axis=0)
    ref = sklreg.Lasso(alpha=0.05).fit(X / std, y)
    # the saved coefficients apply to the CSV's columns
    np.testing.assert_allclose(coef(model), ref.coef_ / std, rtol=1e-6)
    np.testing.assert_allclose(model["intercept"], ref.intercept_, rtol=1e-6)
    assert model["standardized"] and list(model["feature_std"]) == FEATURES
    # without scaling, the penalty wipes out the tiny-scale 'dist' column
    raw = fit_json(tmp_path, path, "--target", "price", "--drop", "id,city",
                   "--alpha", "0.05")
    assert raw["coef"]["dist"] == 0 and model["coef"]["dist"] != 0


# the listed grids may well end at the CV optimum: that warning is beside the point
@pytest.mark.filterwarnings("ignore:.*alpha of the grid")
def test_grid_options(table, tmp_path):
    path, X, y = table
    base = [path, "--target", "price", "--drop", "id,city", "--cv", "3"]
    listed = fit_json(tmp_path, *base, "--alphas", "0.001,0.01,0.1,1")
    assert listed["alpha"] in (0.001, 0.01, 0.1, 1.0)
    ref = sklreg.LassoCV(alphas=np.array([0.001, 0.01, 0.1, 1]), cv=3).fit(X, y)
    assert listed["alpha"] == ref.alpha_
    short = fit_json(tmp_path, *base, "--n-alphas", "7", "--eps", "0.01")
    ref = sklreg.LassoCV(alphas=7, eps=0.01, cv=3).fit(X, y)
    assert short["alpha"] == ref.alpha_
    ridge = fit_json(tmp_path, *base, "--model", "ridge", "--alphas", "0.1,10")
    assert ridge["alpha"] in (0.1, 10.0)


@pytest.mark.parametrize("extra, named", [
    (["--alpha", "1", "--eps", "0.1"], "--eps"),
    (["--alphas", "1,2", "--n-alphas", "5"], "--n-alphas"),
    (["--alphas", "1,x"], "--alphas"),
    (["--n-alphas", "0"], "--n-alphas"),
    (["--columns", "size,size"], "--columns"),
    (["--drop", "nope"], "'nope'"),
])
def test_bad_grid_or_column_options(table, capsys, extra, named):
    assert main(["fit", table[0], "--target", "price", *extra]) == 2
    assert named in capsys.readouterr().err


def test_separator(tmp_path, capsys, reader):
    rows = ["a;b;y"] + [f"{i};{i % 3};{2 * i + 1}" for i in range(12)]
    path = write(tmp_path / "semi.csv", rows)
    assert main(["fit", path, "--target", "y", "--alpha", "0.01"]) == 2
    assert "--sep ';'" in capsys.readouterr().err
    model = fit_json(tmp_path, path, "--target", "y", "--sep", ";", "--alpha", "0.01")
    assert model["features"] == ["a", "b"] and model["coef"]["a"] > 1.9
    tabbed = write(tmp_path / "tab.tsv", [r.replace(";", "\t") for r in rows])
    assert fit_json(tmp_path, tabbed, "--target", "y", "--sep", "tab",
                    "--alpha", "0.01")["coef"] == model["coef"]


def test_predict_with_a_saved_model(table, tmp_path, capsys, reader):
    path, X, y = table
    model = fit_json(tmp_path, path, "--target", "price", "--drop", "id,city",
                     "--standardize", "--model", "huber", "--alpha", "0.1")
    # new rows: columns in another order, no target, an extra text column
    rng = np.random.default_rng(2)
    X_new = rng.standard_normal((9, 4)) * [1000.0, 1.0, 0.01, 10.0]
    order = [3, 1, 0, 2]
    new = write(tmp_path / "new.csv", [",".join(["note"] + [FEATURES[j] for j in order])]
                + [",".join(["x"] + [repr(float(row[j])) for j in order]) for row in X_new])
    capsys.readouterr()
    assert main(["predict", str(tmp_path / "model.json"), new]) == 0
    lines = capsys.readouterr().out.split()
    assert lines[0] == "predicted_price"
    std = X.std(axis=0)
    ref = sklreg.HuberRegressor(alpha=0.1).fit(X / std, y)
    np.testing.assert_allclose(np.array(lines[1:], dtype=float), ref.predict(X_new / std),
                               rtol=1e-6, atol=1e-6 * np.abs(y).max())
    out = tmp_path / "pred.csv"
    assert main(["predict", str(tmp_path / "model.json"), new, "--output", str(out)]) == 0
    assert out.read_text().split() == lines
    assert model["features"] == FEATURES


def test_predict_bad_inputs(table, tmp_path, capsys):
    path = table[0]
    not_model = tmp_path / "x.json"
    not_model.write_text('{"a": 1}')
    assert main(["predict", str(not_model), path]) == 2
    assert "not a model" in capsys.readouterr().err
    model = tmp_path / "m.json"
    model.write_text(json.dumps({"features": ["size", "floor"], "intercept": 0.0,
                                 "coef": {"size": 1.0, "floor": 2.0}}))
    assert main(["predict", str(model), path]) == 2
    assert "'floor'" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--output", "--plot"])
def test_unwritable_output_fails_before_fitting(table, tmp_path, capsys, option):
    target = tmp_path / "no_such_dir" / ("m.png" if option == "--plot" else "m.json")
    assert main(["fit", table[0], "--target", "price", option, str(target)]) == 2
    captured = capsys.readouterr()
    assert "does not exist" in captured.err and option in captured.err
    assert captured.out == ""                      # nothing was read or fitted


def test_demo_does_not_import_the_cli():
    code = "import sys, sklreg._demo; print('sklreg._cli' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "False", proc.stderr


def test_warnings_are_lines_of_the_output(table, capsys):
    # a grid far above the optimum: CV picks its smallest alpha and says so
    assert main(["fit", table[0], "--target", "price", "--drop", "id,city", "--cv", "3",
                 "--alphas", "3000,1000,300"]) == 0
    err = capsys.readouterr().err
    assert "python -m sklreg fit: warning: LassoCV:" in err and "smallest alpha" in err
    assert ".py:" not in err                        # no pointer into the code


def test_help_lists_the_new_options(capsys):
    for command, options in [("fit", ["--sep", "--columns", "--drop", "--standardize",
                                      "--alphas", "--n-alphas", "--eps"]),
                             ("predict", ["model.json", "data.csv", "--output", "--sep"])]:
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = capsys.readouterr().out
        assert all(option in text for option in options)
