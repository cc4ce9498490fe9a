"""From the feature table to the model's design matrix, and the reason groups for outreach.

The design matrix holds the numeric features as they are, plus one-hot columns for sex,
education, lives alone and municipality. Each design column belongs to exactly one *reason
group*, a plain-language theme such as "acute admissions" (the 12- and 24-month counts, the
trend, months since the last one and their cost together). Reasons are given per group, never per
column, because the columns of a group move together: setting only the 12-month count of
admissions to zero while the 24-month count stays high would describe no real person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from broen.analytics.risk._features import DIAGNOSIS_GROUPS, numeric_features

EDUCATION: tuple[str, ...] = (
    "basic",
    "upper_secondary",
    "vocational",
    "short_higher",
    "medium_higher",
    "long_higher",
    "unknown",
)
MIN_CATEGORY_ROWS = 50  # a municipality with fewer training rows goes to "municipality_other"


@dataclass(frozen=True)
class ReasonGroup:
    name: str
    prefixes: tuple[str, ...]
    da: str
    en: str
    categorical: bool = False  # one-hot: the reference is the most common category


_DX_LABELS: dict[str, tuple[str, str]] = {
    "diabetes": ("Diabetes", "Diabetes"),
    "copd": ("KOL", "COPD"),
    "ischaemic_heart_disease": ("Iskæmisk hjertesygdom", "Ischaemic heart disease"),
    "heart_failure": ("Hjertesvigt", "Heart failure"),
    "mental_disorder": ("Psykisk lidelse", "Mental disorder"),
    "substance_use": ("Misbrug", "Substance use"),
    "dementia": ("Demens", "Dementia"),
    "cancer": ("Kræft", "Cancer"),
}

# Order matters: a column goes to the first group with a matching prefix.
REASON_GROUPS: tuple[ReasonGroup, ...] = (
    ReasonGroup(
        "acute_admissions",
        ("acute_admissions_", "months_since_acute_admission", "cost_hospital_acute_"),
        "Akutte indlæggelser",
        "Acute admissions",
    ),
    ReasonGroup(
        "emergency_visits", ("emergency_visits_",), "Akutte skadestuebesøg", "Emergency visits"
    ),
    ReasonGroup(
        "psychiatric",
        ("bed_days_psychiatric_", "cost_hospital_psychiatric_"),
        "Psykiatrisk sygehusbehandling",
        "Psychiatric hospital care",
    ),
    ReasonGroup("bed_days", ("bed_days_",), "Sengedage på sygehus", "Hospital bed days"),
    ReasonGroup(
        "planned_hospital",
        ("planned_admissions_", "outpatient_visits_", "cost_hospital_planned_"),
        "Planlagt sygehusbehandling",
        "Planned hospital care",
    ),
    ReasonGroup(
        "primary_care",
        ("gp_contacts_", "cost_primary_care_"),
        "Kontakter til egen læge og praksissektor",
        "GP and primary care contacts",
    ),
    ReasonGroup(
        "medicine", ("dispensings_", "cost_medicine_"), "Receptmedicin", "Prescription medicine"
    ),
    ReasonGroup(
        "municipal_care",
        ("cost_municipal_",),
        "Kommunal pleje og genoptræning",
        "Municipal care and rehabilitation",
    ),
    ReasonGroup(
        "total_cost", ("cost_total_",), "Samlede sundhedsudgifter", "Total health-care cost"
    ),
    ReasonGroup(
        "sickness_benefit", ("weeks_sickness_benefit_",), "Sygedagpenge", "Sickness benefit"
    ),
    ReasonGroup("cash_benefit", ("weeks_cash_benefit_",), "Kontanthjælp", "Cash benefit"),
    ReasonGroup("unemployment", ("weeks_unemployment_",), "Ledighed", "Unemployment"),
    ReasonGroup(
        "reduced_work_capacity",
        ("weeks_flexjob_", "weeks_disability_pension_"),
        "Fleksjob eller førtidspension",
        "Flex job or disability pension",
    ),
    *(
        ReasonGroup(f"dx_{group}", (f"dx_{group}",), *_DX_LABELS[group])
        for group in DIAGNOSIS_GROUPS
    ),
    ReasonGroup("age", ("age",), "Alder", "Age"),
    ReasonGroup("sex", ("female",), "Køn", "Sex", categorical=True),
    ReasonGroup("education", ("education_",), "Uddannelse", "Education", categorical=True),
    ReasonGroup("lives_alone", ("lives_alone",), "Bor alene", "Lives alone", categorical=True),
    ReasonGroup("municipality", ("municipality_",), "Kommune", "Municipality", categorical=True),
    ReasonGroup(
        "months_observed", ("months_observed",), "Kort tid i området", "Short time in the area"
    ),
)
GROUPS_BY_NAME = {g.name: g for g in REASON_GROUPS}


def municipalities(frame: pd.DataFrame) -> list[int]:
    """Municipality codes with at least ``MIN_CATEGORY_ROWS`` rows, sorted."""
    counts = frame["municipality"].dropna().astype(int).value_counts()
    return sorted(int(code) for code, n in counts.items() if n >= MIN_CATEGORY_ROWS)


def design_names(codes: Sequence[int]) -> list[str]:
    return [
        *numeric_features(),
        "female",
        "lives_alone",
        "lives_alone_unknown",
        *(f"education_{e}" for e in EDUCATION),
        *(f"municipality_{c}" for c in codes),
        "municipality_other",
    ]


def design_matrix(frame: pd.DataFrame, codes: Sequence[int]) -> npt.NDArray[np.float64]:
    """The design matrix of ``frame`` (a feature table) for the municipality codes ``codes``."""
    numeric = frame[numeric_features()].to_numpy(dtype=np.float64, na_value=np.nan)
    numeric = np.nan_to_num(numeric, nan=0.0)
    alone = frame["lives_alone"]
    education = frame["education"].fillna("unknown").astype(str)
    education = education.where(education.isin(EDUCATION), "unknown")
    code = pd.to_numeric(frame["municipality"], errors="coerce")
    columns = [
        (frame["sex"] == "F").to_numpy(dtype=np.float64),
        (alone.fillna(False).astype(bool)).to_numpy(dtype=np.float64),
        alone.isna().to_numpy(dtype=np.float64),
        *((education == e).to_numpy(dtype=np.float64) for e in EDUCATION),
        *((code == c).to_numpy(dtype=np.float64) for c in codes),
        (~code.isin(list(codes))).to_numpy(dtype=np.float64),
    ]
    return np.column_stack([numeric, *columns])


def group_indices(names: Sequence[str]) -> dict[str, list[int]]:
    """Design-column indices of each reason group; every column belongs to exactly one."""
    out: dict[str, list[int]] = {g.name: [] for g in REASON_GROUPS}
    for i, name in enumerate(names):
        for group in REASON_GROUPS:
            if any(name.startswith(prefix) for prefix in group.prefixes):
                out[group.name].append(i)
                break
        else:
            raise ValueError(f"design column {name!r} belongs to no reason group")
    return {k: v for k, v in out.items() if v}


def reference_values(
    x: npt.NDArray[np.float64], groups: dict[str, list[int]]
) -> npt.NDArray[np.float64]:
    """The "typical person": per-column medians, and for one-hot groups the most common
    category. Aggregates of the training population only."""
    ref = np.median(x, axis=0)
    for name, idx in groups.items():
        if GROUPS_BY_NAME[name].categorical:
            patterns, counts = np.unique(x[:, idx], axis=0, return_counts=True)
            ref[idx] = patterns[int(np.argmax(counts))]
    return np.asarray(ref, dtype=np.float64)


def label(group: str, language: str = "da") -> str:
    g = GROUPS_BY_NAME[group]
    return g.da if language == "da" else g.en
