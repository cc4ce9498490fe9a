"""The vendored oracle data are the published files and reproduce their known answers.

Recomputed here with numpy and scikit-learn only (no statsmodels), independently of the
evaluation engine: NHEFS naive difference, IP weighting with the book's propensity model and a
sandwich interval, standardisation; ACIC 2016 true SATTs; df_het's true ATT and event-time path;
the LaLonde experimental benchmark and the naive difference against the CPS controls.
"""

from __future__ import annotations

import gzip
import io

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from tests.evaluation import oracles

Z95 = 1.959963984540054


@pytest.mark.parametrize("name", sorted(oracles.SOURCES))
def test_vendored_files_are_the_published_ones(name: str) -> None:
    assert oracles.sha256_of_vendored(name) == oracles.SOURCES[name].sha256


def test_vendored_data_stay_small() -> None:
    total = sum(p.stat().st_size for p in oracles.DATA_DIR.rglob("*") if p.is_file())
    assert total < 5_000_000


# -- NHEFS -------------------------------------------------------------------------------------


def _nhefs_design(frame: pd.DataFrame, *, with_interaction: bool = False) -> pd.DataFrame:
    """The book's covariates: linear terms, squares of the continuous ones, one-hot
    categories (first level dropped)."""
    design = frame[["sex", "race", "age", "smokeintensity", "smokeyrs", "wt71"]].astype(float)
    for name in oracles.NHEFS_SQUARED:
        design[f"{name}^2"] = frame[name].astype(float) ** 2
    dummies = pd.get_dummies(
        frame[list(oracles.NHEFS_CATEGORICAL)].astype("category"), drop_first=True, dtype=float
    )
    design = design.join(dummies)
    if with_interaction:
        design["qsmk"] = frame["qsmk"].astype(float)
        design["qsmk:smokeintensity"] = design["qsmk"] * frame["smokeintensity"]
    return design


def _ipw(frame: pd.DataFrame) -> tuple[float, float]:
    """IP-weighted difference in means (unstabilised weights from the book's logistic PS
    model) and its robust (HC0 sandwich) standard error, as the book's GEE."""
    x = _nhefs_design(frame).to_numpy()
    x = (x - x.mean(axis=0)) / x.std(axis=0)  # only for the optimiser; the fit is unpenalised
    a = frame["qsmk"].to_numpy()
    y = frame["wt82_71"].to_numpy()
    model = LogisticRegression(C=np.inf, max_iter=10_000, tol=1e-10).fit(x, a)
    p = model.predict_proba(x)[:, 1]
    w = np.where(a == 1, 1.0 / p, 1.0 / (1.0 - p))
    z = np.column_stack([np.ones_like(y), a])
    bread = np.linalg.inv(z.T @ (w[:, None] * z))
    beta = bread @ (z.T @ (w * y))
    score = z * (w * (y - z @ beta))[:, None]
    cov = bread @ (score.T @ score) @ bread
    return float(beta[1]), float(np.sqrt(cov[1, 1]))


def test_nhefs_shape_and_columns() -> None:
    frame = oracles.load_nhefs()
    assert len(frame) == oracles.NHEFS_N
    assert int(frame["qsmk"].sum()) == oracles.NHEFS_N_QUITTERS
    assert list(frame.columns) == ["seqn", "qsmk", "wt82_71", *oracles.NHEFS_COVARIATES]
    assert not frame.isna().any().any()
    assert len(oracles.load_nhefs(complete_cases=False)) == 1629
    assert oracles.load_nhefs_raw().shape == (1629, 64)
    assert set(oracles.load_nhefs_codebook().columns) == {"Variable name", "Description"}


def test_nhefs_naive_difference() -> None:
    frame = oracles.load_nhefs()
    means = frame.groupby("qsmk")["wt82_71"].mean()
    assert means[1] - means[0] == pytest.approx(oracles.NHEFS_NAIVE, abs=0.005)


def test_nhefs_ip_weighting_reproduces_the_book() -> None:
    estimate, se = _ipw(oracles.load_nhefs())
    assert estimate == pytest.approx(oracles.NHEFS_IPW, abs=0.005)
    low, high = oracles.NHEFS_IPW_CI
    assert estimate - Z95 * se == pytest.approx(low, abs=0.005)
    assert estimate + Z95 * se == pytest.approx(high, abs=0.005)


def test_nhefs_standardisation_reproduces_the_book() -> None:
    frame = oracles.load_nhefs()
    design = _nhefs_design(frame, with_interaction=True)
    x = np.column_stack([np.ones(len(design)), design.to_numpy()])
    coef, *_ = np.linalg.lstsq(x, frame["wt82_71"].to_numpy(), rcond=None)

    def mean_prediction(quit: int) -> float:
        counterfactual = design.copy()
        counterfactual["qsmk"] = float(quit)
        counterfactual["qsmk:smokeintensity"] = quit * frame["smokeintensity"].astype(float)
        values: npt.NDArray[np.float64] = (
            np.column_stack([np.ones(len(design)), counterfactual.to_numpy()]) @ coef
        )
        return float(values.mean())

    effect = mean_prediction(1) - mean_prediction(0)
    assert effect == pytest.approx(oracles.NHEFS_STANDARDISED, abs=0.005)


# -- ACIC 2016 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("instance", list(oracles.ACIC_INSTANCES))
def test_acic_true_satt(instance: int) -> None:
    frame, satt = oracles.load_acic(instance)
    truth = oracles.load_acic_truth(instance)
    assert frame.shape[0] == oracles.ACIC_N == len(truth)
    treated = frame["treatment"].to_numpy() == 1
    assert 858 <= treated.sum() <= 1736
    # independent of the loader: from the raw columns
    raw_satt = (truth["mu1"] - truth["mu0"])[truth["z"] == 1].mean()
    assert satt == pytest.approx(raw_satt, abs=1e-12)
    assert round(satt, 3) == oracles.ACIC_TRUE_SATT[instance]
    observed = np.where(truth["z"] == 1, truth["y1"], truth["y0"])
    np.testing.assert_array_equal(frame["outcome"].to_numpy(), observed)
    assert not {"mu0", "mu1", "y0", "y1", "z"} & set(frame.columns)


def test_acic_covariates() -> None:
    raw, _ = oracles.load_acic(1, one_hot=False)
    assert raw.shape == (oracles.ACIC_N, 58 + 2)
    assert {str(raw[c].dtype) for c in oracles.ACIC_CATEGORICAL} == {"object"}
    numeric, _ = oracles.load_acic(1)
    covariates = numeric.drop(columns=["treatment", "outcome"])
    assert all(pd.api.types.is_numeric_dtype(covariates[c]) for c in covariates.columns)
    assert not set(oracles.ACIC_CATEGORICAL) & set(covariates.columns)
    with pytest.raises(ValueError, match=r"1\.\.10"):
        oracles.load_acic(11)


# -- pyfixest df_het ---------------------------------------------------------------------------


def test_df_het_shape_and_design() -> None:
    frame = oracles.load_df_het()
    assert frame.shape == (oracles.DF_HET_UNITS * 31, 14)
    assert frame["unit"].nunique() == oracles.DF_HET_UNITS
    assert (frame["year"].min(), frame["year"].max()) == oracles.DF_HET_YEARS
    assert frame.groupby("unit")["year"].nunique().eq(31).all()  # balanced
    assert set(frame["g"].unique()) == {0, *oracles.DF_HET_COHORTS}
    assert frame.groupby("unit")["g"].nunique().eq(1).all()
    treated_cohort = frame["g"] > 0
    np.testing.assert_array_equal(frame["treat"], treated_cohort & (frame["year"] >= frame["g"]))
    rebuilt = (
        frame["unit_fe"]
        + frame["year_fe"]
        + frame["treat"] * (frame["te"] + frame["te_dynamic"])
        + frame["error"]
    )
    assert np.abs(rebuilt - frame["dep_var"]).max() < 1e-9


def test_df_het_true_att_and_path() -> None:
    frame = oracles.load_df_het()
    treated = frame[frame["treat"]]
    att = float((treated["te"] + treated["te_dynamic"]).mean())
    assert round(att, 4) == oracles.DF_HET_TRUE_ATT
    path = oracles.df_het_true_path(frame)
    assert list(path.index) == list(range(21))
    assert path[0] == pytest.approx(1.468, abs=5e-4)
    assert path[10] == pytest.approx(2.5, abs=1e-9)
    assert path[20] == pytest.approx(3.0, abs=1e-9)
    steps = np.diff(path.to_numpy())
    assert np.allclose(steps[:10], steps[0], atol=1e-3)  # ~0.103 a year to e=10
    assert np.allclose(steps[10:], 0.05)  # then 0.05 a year


# -- LaLonde / Dehejia-Wahba -------------------------------------------------------------------

LALONDE_COLUMNS = ["data_id", "treat", *oracles.LALONDE_COVARIATES, "re78"]


def test_lalonde_shapes_and_columns() -> None:
    nsw = oracles.load_lalonde_nsw()
    assert list(nsw.columns) == LALONDE_COLUMNS
    assert nsw["treat"].value_counts().to_dict() == {
        1: oracles.LALONDE_N_TREATED,
        0: oracles.LALONDE_N_EXPERIMENTAL_CONTROLS,
    }
    assert set(nsw["data_id"]) == {"Dehejia-Wahba Sample"}
    frame = oracles.load_lalonde_cps()
    assert list(frame.columns) == LALONDE_COLUMNS
    assert len(frame) == oracles.LALONDE_N_TREATED + oracles.LALONDE_N_CPS
    assert frame["treat"].to_list() == [1] * oracles.LALONDE_N_TREATED + [0] * oracles.LALONDE_N_CPS
    assert set(frame.loc[frame["treat"] == 0, "data_id"]) == {"CPS1"}
    assert not frame.isna().any().any()
    for name in ("treat", "black", "hisp", "marr", "nodegree"):
        assert set(frame[name]) <= {0, 1}
    # the shares with no earnings behind Dehejia & Wahba's u74/u75 (see oracles.py)
    zero = frame[["re74", "re75"]].eq(0).groupby(frame["treat"]).mean().round(2)
    assert zero.loc[1].to_list() == [0.71, 0.60]
    assert zero.loc[0].to_list() == [0.12, 0.11]


def test_lalonde_experimental_benchmark() -> None:
    # from the raw file, not the loader: Stata's float32 earnings, means in float64
    with gzip.open(oracles.DATA_DIR / "lalonde/nsw_mixtape.dta.gz", "rb") as handle:
        raw = pd.read_stata(io.BytesIO(handle.read()))
    assert str(raw["re78"].dtype) == "float32"
    earnings = raw["re78"].to_numpy(dtype=np.float64)
    treated = raw["treat"].to_numpy() == 1
    benchmark = earnings[treated].mean() - earnings[~treated].mean()
    assert round(benchmark, 2) == oracles.LALONDE_EXPERIMENTAL
    assert (round(earnings[treated].mean()), round(earnings[~treated].mean())) == (6349, 4555)
    se = np.sqrt(
        earnings[treated].var(ddof=1) / treated.sum()
        + earnings[~treated].var(ddof=1) / (~treated).sum()
    )
    assert round(se) == 671
    assert oracles.lalonde_experimental_benchmark() == pytest.approx(benchmark, abs=1e-9)


def test_lalonde_naive_difference_against_cps() -> None:
    frame = oracles.load_lalonde_cps()
    means = frame.groupby("treat")["re78"].mean()
    assert means[1] - means[0] == pytest.approx(oracles.LALONDE_NAIVE_CPS, abs=0.005)
