"""Benchmarks with a known answer for the evaluation engine's tests, offline.

The data are vendored under ``tests/evaluation/data`` (gzip-compressed, byte-identical to the
files in the causallib 0.10.0 and pyfixest 0.60.0 wheels and the causaldata 0.1.5 sdist;
provenance, licences and SHA-256 in ``data/README.md`` and :data:`SOURCES`). The truths below
were recomputed from these files by ``test_oracle_data.py``.

- NHEFS (Hernán & Robins, *Causal Inference: What If*, chapters 12–13): the effect of quitting
  smoking (``qsmk``) on weight gain 1971–82 in kg (``wt82_71``), 1,566 complete cases.
  :func:`load_nhefs`.
- ACIC 2016 (Dorie et al. 2019), instances 1–10 as shipped by causallib: 4,802 units, true
  SATT from the noiseless potential outcomes. :func:`load_acic`, :func:`load_acic_truth`.
- pyfixest's ``df_het``: a staggered-adoption panel with heterogeneous dynamic effects whose
  true effect is in the data (``te + te_dynamic``). :func:`load_df_het`,
  :func:`df_het_true_path`.
- LaLonde (1986) / Dehejia & Wahba (1999): the NSW job-training experiment's 185 treated men
  against 15,992 non-experimental CPS controls; the experimental benchmark (treated minus the
  260 randomised controls, 1978 earnings) is $1,794. :func:`load_lalonde_cps`,
  :func:`load_lalonde_nsw`, :func:`lalonde_experimental_benchmark`.

Loaders return fresh copies (callers may mutate them); the files are parsed once per process.
"""

from __future__ import annotations

import gzip
import hashlib
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Source:
    """Where a vendored file comes from."""

    package: str
    version: str
    path_in_archive: str  # inside the wheel or the sdist
    sha256: str  # of the original, uncompressed file


_CAUSALLIB = ("causallib", "0.10.0")
_CAUSALDATA = ("causaldata", "0.1.5")  # the sdist: the package publishes no wheel
_ACIC_DIR = "causallib/datasets/data/acic_challenge_2016"
_ACIC_SHA = {
    "x.csv": "914d4d6c8dcea14f0268bb0c0558292746cbfbff7111c71434801e8ce48cdbdf",
    "zymu_1.csv": "c77c7ba8cefeb350983d9e3918c444004b290e32f53ce028028701387898e175",
    "zymu_2.csv": "faf5ad7c584d7c2dd6eed5120de8bb5de0a738b9fc343275d7d59a05efbf8ada",
    "zymu_3.csv": "394974df8181524c3a5f0166cae961adc7e1311bf05db2050c1668879bf8e130",
    "zymu_4.csv": "478153982835c31ca5442df3dba9020a9b8b04cad2f87d5a2beae56638cdd9e9",
    "zymu_5.csv": "96b9252370b5f72da72a643b81a3233337ff274f4abbe74837e152f969f9bb87",
    "zymu_6.csv": "73cac08e9444b336417ae99696f2156b96ee096fd195a1ec118fc315571c608e",
    "zymu_7.csv": "b456f0f230fdb6b503acf691ed4efaaf59806d7a23f6ac3f7b47a6b6588292c4",
    "zymu_8.csv": "3d1d6a5646efaba235f9ed0c41c80644050d88764a1728e9411e1000266560b4",
    "zymu_9.csv": "0c3d16e75faf07b8b63c991522270f481c1570f64ebc3c24671e9805612f933e",
    "zymu_10.csv": "81fe53b05fce5cf889a5884179dff485e67e9caeabc9fc1cb0da1da39c4dba3b",
}

#: vendored file (relative to DATA_DIR) -> its source.
SOURCES: dict[str, Source] = {
    "nhefs/NHEFS.csv.gz": Source(
        *_CAUSALLIB,
        "causallib/datasets/data/nhefs/NHEFS.csv",
        "1b8b59aa8588d6cc61de73ab49a3096c4efa18b2b28127c1cd63c9262e3b475a",
    ),
    "nhefs/NHEFS_codebook.csv.gz": Source(
        *_CAUSALLIB,
        "causallib/datasets/data/nhefs/NHEFS_codebook.csv",
        "a81bd088658e18c9d4a85be34b521d781f99267eee7278f57f94ec01d9d99ff0",
    ),
    **{
        f"acic2016/{name}.gz": Source(*_CAUSALLIB, f"{_ACIC_DIR}/{name}", sha)
        for name, sha in _ACIC_SHA.items()
    },
    "df_het/df_het.csv.gz": Source(
        "pyfixest",
        "0.60.0",
        "pyfixest/did/data/df_het.csv",
        "2b67a1f99673d705010fe0d655fd22a2ef39c56bdd4034bf51412d049f4da40c",
    ),
    "lalonde/nsw_mixtape.dta.gz": Source(
        *_CAUSALDATA,
        "causaldata-0.1.5/causaldata/nsw_mixtape/nsw_mixtape.dta",
        "e4a64e4436c2c178f47d6c82a371d20f1596b82b44862ce24bf13c71ac797339",
    ),
    "lalonde/cps_mixtape.dta.gz": Source(
        *_CAUSALDATA,
        "causaldata-0.1.5/causaldata/cps_mixtape/cps_mixtape.dta",
        "1345a61d4f4f6ab84abd475906a86671b969b278a8ef0e96d8e8ba8e3c3556e1",
    ),
}

# -- NHEFS -------------------------------------------------------------------------------------

NHEFS_TREATMENT = "qsmk"  # 1 = quit smoking between 1971 and 1982
NHEFS_OUTCOME = "wt82_71"  # weight change 1971 -> 1982, kg
#: The book's confounders (chapter 12). ``education`` (1–5), ``exercise`` (0–2) and ``active``
#: (0–2) are categories: one-hot encode them. The book's propensity and outcome models also use
#: the squares of ``age``, ``smokeintensity``, ``smokeyrs`` and ``wt71``.
NHEFS_COVARIATES = (
    "sex",
    "race",
    "age",
    "education",
    "smokeintensity",
    "smokeyrs",
    "exercise",
    "active",
    "wt71",
)
NHEFS_CATEGORICAL = ("education", "exercise", "active")
NHEFS_SQUARED = ("age", "smokeintensity", "smokeyrs", "wt71")
NHEFS_N = 1566  # complete cases (wt82 observed); 1,629 in the file
NHEFS_N_QUITTERS = 403
NHEFS_NAIVE = 2.54  # difference in mean weight gain, quitters minus non-quitters (book: 2.5)
NHEFS_IPW = 3.44  # IP weighting, the book's PS model, unstabilised weights (book 12.2: 3.4)
NHEFS_IPW_CI = (2.41, 4.47)  # 95%, robust (sandwich) standard error (book: 2.4 to 4.5)
NHEFS_STANDARDISED = 3.52  # g-formula with a qsmk x smokeintensity term (book 13.3: 3.5)


@cache
def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / name)


def load_nhefs(*, complete_cases: bool = True) -> pd.DataFrame:
    """NHEFS: one row per person with ``seqn`` (id), ``qsmk`` (treatment), ``wt82_71``
    (outcome) and :data:`NHEFS_COVARIATES`, all integer/float codes as in the book. With
    ``complete_cases`` (default) only the 1,566 people whose 1982 weight is known."""
    data = _read("nhefs/NHEFS.csv.gz")
    if complete_cases:
        data = data[data["wt82"].notna()]
    columns = ["seqn", NHEFS_TREATMENT, NHEFS_OUTCOME, *NHEFS_COVARIATES]
    return data[columns].reset_index(drop=True).copy()


def load_nhefs_raw() -> pd.DataFrame:
    """All 1,629 rows and 64 columns of the NHEFS file (see ``load_nhefs_codebook``)."""
    return _read("nhefs/NHEFS.csv.gz").copy()


def load_nhefs_codebook() -> pd.DataFrame:
    """Variable name -> description for the raw NHEFS columns."""
    return _read("nhefs/NHEFS_codebook.csv.gz").copy()


# -- ACIC 2016 ---------------------------------------------------------------------------------

ACIC_INSTANCES = range(1, 11)
ACIC_N = 4802
ACIC_TREATMENT = "treatment"
ACIC_OUTCOME = "outcome"
#: True sample ATT (mean of mu1 - mu0 over the treated), rounded to 3 decimals.
ACIC_TRUE_SATT: dict[int, float] = {
    1: 2.722,
    2: 4.679,
    3: 4.752,
    4: 4.683,
    5: 3.447,
    6: 3.010,
    7: 3.970,
    8: 1.444,
    9: 3.702,
    10: 4.969,
}
ACIC_CATEGORICAL = ("x_2", "x_21", "x_24")  # letters in the raw file


def _check_instance(instance: int) -> None:
    if instance not in ACIC_INSTANCES:
        raise ValueError(f"ACIC 2016 instance must be 1..10, not {instance}")


def load_acic(instance: int, *, one_hot: bool = True) -> tuple[pd.DataFrame, float]:
    """ACIC 2016 instance ``instance`` (1–10): a frame with the covariates ``x_1``..``x_58``,
    ``treatment`` (0/1) and the observed ``outcome`` (``y1`` if treated, else ``y0``), and the
    exact true SATT computed from ``mu0``/``mu1`` (which stay out of the frame: see
    :func:`load_acic_truth`). With ``one_hot`` (default) the three letter-valued covariates
    are replaced by 0/1 indicators (first level dropped), so every covariate is numeric."""
    _check_instance(instance)
    x = _read("acic2016/x.csv.gz")
    truth = _read(f"acic2016/zymu_{instance}.csv.gz")
    if one_hot:
        x = pd.get_dummies(x, columns=list(ACIC_CATEGORICAL), drop_first=True, dtype=np.int64)
    treated = truth["z"].to_numpy() == 1
    frame = x.copy()
    frame[ACIC_TREATMENT] = truth["z"].to_numpy(dtype=np.int64)
    frame[ACIC_OUTCOME] = np.where(treated, truth["y1"], truth["y0"])
    satt = float((truth["mu1"] - truth["mu0"])[treated].mean())
    return frame, satt


def load_acic_truth(instance: int) -> pd.DataFrame:
    """The instance's ``z``, noisy potential outcomes ``y0``/``y1`` and their expectations
    ``mu0``/``mu1`` (row-aligned with :func:`load_acic`)."""
    _check_instance(instance)
    return _read(f"acic2016/zymu_{instance}.csv.gz").copy()


# -- pyfixest df_het ---------------------------------------------------------------------------

DF_HET_UNITS = 1500
DF_HET_YEARS = (1990, 2020)
DF_HET_COHORTS = (2000, 2010)  # g = 0: never treated
DF_HET_TRUE_ATT = 2.2202  # mean of te + te_dynamic over treated unit-years (rounded)


def load_df_het() -> pd.DataFrame:
    """pyfixest's ``df_het``, all columns: ``unit``, ``state``, ``group``, ``unit_fe``, ``g``
    (cohort: first treated year, 0 = never), ``year``, ``year_fe``, ``treat`` (bool, year >= g
    for treated cohorts), ``rel_year`` (year - g, NaN for never treated), ``rel_year_binned``,
    ``error``, ``te`` (cohort effect), ``te_dynamic`` (effect growth with time since treatment)
    and ``dep_var = unit_fe + year_fe + treat * (te + te_dynamic) + error``."""
    return _read("df_het/df_het.csv.gz").copy()


def df_het_true_path(frame: pd.DataFrame | None = None) -> pd.Series:
    """The true ATT by event time: mean of ``te + te_dynamic`` over the treated unit-years at
    each ``rel_year`` (index ``event_time`` 0..20)."""
    data = load_df_het() if frame is None else frame
    treated = data[data["treat"]]
    effect = treated["te"] + treated["te_dynamic"]
    path = effect.groupby(treated["rel_year"].astype(np.int64)).mean()
    path.index.name = "event_time"
    return path.rename("true_att")


# -- LaLonde / Dehejia-Wahba ------------------------------------------------------------------

LALONDE_TREATMENT = "treat"  # 1 = NSW participant; 0 = NSW randomised control or CPS
LALONDE_OUTCOME = "re78"  # real earnings in 1978 (US dollars)
#: LaLonde's and the Mixtape's covariates. Dehejia & Wahba's propensity models also use
#: ``u74``/``u75`` (no earnings in 1974/1975: 71% and 60% of the treated, 12% and 11% of CPS)
#: and powers and interactions.
LALONDE_COVARIATES = ("age", "educ", "black", "hisp", "marr", "nodegree", "re74", "re75")
LALONDE_N_TREATED = 185
LALONDE_N_EXPERIMENTAL_CONTROLS = 260
LALONDE_N_CPS = 15_992  # CPS-1
#: Mean 1978 earnings of the NSW treated minus those of the 260 randomised controls (Dehejia &
#: Wahba: 1,794). Welch standard error 671.
LALONDE_EXPERIMENTAL = 1794.34
LALONDE_NAIVE_CPS = -8497.52  # NSW treated minus all CPS controls


@cache
def _read_stata(name: str) -> pd.DataFrame:
    with gzip.open(DATA_DIR / name, "rb") as handle:
        frame = pd.read_stata(io.BytesIO(handle.read()))
    # Stored as Stata int8 and float32: widened (the earnings keep their float32 values).
    integers = dict.fromkeys([LALONDE_TREATMENT, *LALONDE_COVARIATES[:6]], np.int64)
    floats = dict.fromkeys(["re74", "re75", LALONDE_OUTCOME], np.float64)
    return frame.astype(integers | floats)


def load_lalonde_nsw() -> pd.DataFrame:
    """The Dehejia-Wahba subsample of LaLonde's NSW experiment: 445 men, 185 treated and 260
    randomised controls, with ``data_id`` (the sample's name, not a person id), ``treat``,
    :data:`LALONDE_COVARIATES` and ``re78``."""
    return _read_stata("lalonde/nsw_mixtape.dta.gz").copy()


def load_lalonde_cps() -> pd.DataFrame:
    """The observational design: the 185 NSW treated (``treat == 1``) followed by the 15,992
    CPS-1 controls (``treat == 0``), same columns as :func:`load_lalonde_nsw`. The answer to
    recover is :data:`LALONDE_EXPERIMENTAL` (see :func:`lalonde_experimental_benchmark`)."""
    nsw = _read_stata("lalonde/nsw_mixtape.dta.gz")
    cps = _read_stata("lalonde/cps_mixtape.dta.gz")
    treated = nsw[nsw[LALONDE_TREATMENT] == 1]
    return pd.concat([treated, cps], ignore_index=True)


def lalonde_experimental_benchmark(frame: pd.DataFrame | None = None) -> float:
    """Mean ``re78`` of the NSW treated minus that of the NSW (experimental) controls."""
    data = load_lalonde_nsw() if frame is None else frame
    means = data.groupby(LALONDE_TREATMENT)[LALONDE_OUTCOME].mean()
    return float(means[1] - means[0])


def sha256_of_vendored(name: str) -> str:
    """SHA-256 of the decompressed content of a vendored file (compare with :data:`SOURCES`)."""
    with gzip.open(DATA_DIR / name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()
