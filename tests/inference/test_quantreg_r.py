"""sklreg.summary against R's quantreg, run on Engel's data.

The numbers below are the output of tests/reference/quantreg_engel.R
(quantreg 5.94's summary.rq, 10 significant digits): standard errors for
iid, nid and ker with both bandwidths at three quantiles, 95% rank-inversion
intervals, and a weighted fit.  R fits the exact simplex vertex; so does
HiGHS' dual simplex here, so the agreement is limited only by the printed
digits.
"""
import numpy as np
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose

from sklreg import QuantileRegressor, summary

R_OUTPUT = """
iid 0.25 TRUE 15.86190765 0.01428069838
nid 0.25 TRUE 21.39236975 0.02905527348
ker 0.25 TRUE 24.16391949 0.02954882232
iid 0.25 FALSE 16.40819218 0.01477252601
nid 0.25 FALSE 21.96160848 0.02929646239
ker 0.25 FALSE 28.3424707 0.03385664761
rank 0.25 67.56628595 134.9199638 0.4168148981 0.5112239365
iid 0.5 TRUE 13.23907972 0.01191932953
nid 0.5 TRUE 19.25066025 0.02827720968
ker 0.5 TRUE 30.21531585 0.03731703545
iid 0.5 FALSE 13.53245393 0.01218345845
nid 0.5 FALSE 20.25742222 0.02868612008
ker 0.5 FALSE 34.28382627 0.04038616805
rank 0.5 47.09040233 135.1883939 0.4803301483 0.6127786494
iid 0.9 TRUE 20.56739819 0.01851711764
nid 0.9 TRUE 22.39538315 0.02849072238
ker 0.9 TRUE 22.5691951 0.02796023283
iid 0.9 FALSE 19.85735647 0.0178778571
nid 0.9 FALSE 21.73247235 0.02723574458
ker 0.9 FALSE 23.37869092 0.02891243793
rank 0.9 34.48468676 114.7983532 0.6408633257 0.7430179524
weighted-coef 0.5 80.65705536 0.5605541459
weighted-nid 0.5 20.19357254 0.02984751751
weighted-ker 0.5 27.11271735 0.03449640944
"""


def parse(text):
    """{(method, tau[, hs]): values} from the R script's lines."""
    table = {}
    for line in text.strip().splitlines():
        words = line.split()
        n_key = 3 if words[0] in ("iid", "nid", "ker") else 2
        table[tuple(words[:n_key])] = np.array(words[n_key:], dtype=float)
    return table


R = parse(R_OUTPUT)
RTOL = 5e-9     # 10 printed significant digits


@pytest.fixture(scope="module")
def engel():
    data = sm.datasets.engel.load_pandas().data
    return data[["income"]], data["foodexp"].to_numpy()


def exact_fit(X, y, tau, sample_weight=None):
    return QuantileRegressor(quantile=tau, alpha=0.0, solver="highs-ds").fit(
        X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("tau", ["0.25", "0.5", "0.9"])
def test_standard_errors_and_rank_intervals_match_r(engel, tau):
    X, y = engel
    model = exact_fit(X, y, float(tau))
    for se in ("iid", "nid", "ker"):
        for hs, rule in (("TRUE", "hall-sheather"), ("FALSE", "bofinger")):
            result = summary(model, X, y, se=se, bandwidth=rule)
            assert_allclose(result.bse, R[se, tau, hs], rtol=RTOL, err_msg=(se, rule))
    rank = summary(model, X, y, se="rank", level=0.95)
    assert_allclose(rank.conf_int.ravel(), R["rank", tau], rtol=RTOL)


def test_weighted_fit_matches_r(engel):
    X, y = engel
    w = 1 + (np.arange(1, len(y) + 1) % 3) / 2
    model = exact_fit(X, y, 0.5, sample_weight=w)
    assert_allclose(np.r_[model.intercept_, model.coef_], R["weighted-coef", "0.5"],
                    rtol=RTOL)
    for se in ("nid", "ker"):
        result = summary(model, X, y, se=se, sample_weight=w)
        assert_allclose(result.bse, R["weighted-%s" % se, "0.5"], rtol=RTOL)
