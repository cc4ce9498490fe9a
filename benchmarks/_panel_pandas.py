"""The peer of benchmarks/panel.py: a straightforward pandas implementation of the same panel.

Straightforward means the way an analyst would write it: read the rows into DataFrames, expand
every multi-day contact and service into one row per day, every person-month into its
Thursdays, and group by person and month. The benchmark checks that it gives the same cells as
Broen before it reports a ratio.
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd

from broen.analytics.panel import COST_CATEGORIES, PANEL_COLUMNS, Payers

STATES = [c[len("transfer_dkk_") :] for c in PANEL_COLUMNS if c.startswith("transfer_dkk_")]
PROVIDERS = [c[len("cost_pc_") :] for c in PANEL_COLUMNS if c.startswith("cost_pc_")]
SERVICES = [c[len("cost_municipal_") :] for c in PANEL_COLUMNS if c.startswith("cost_municipal_")]


def _read(con: duckdb.DuckDBPyConnection, sql: str, lo: str, hi: str) -> pd.DataFrame:
    return con.execute(sql + " WHERE person_id >= ? AND person_id < ?", [lo, hi]).df()


def _expand(df: pd.DataFrame, first: str, last: str) -> pd.DataFrame:
    """One row per day from ``first`` to ``last`` (dates), with ``ndays`` and ``offset``."""
    ndays = (df[last] - df[first]).dt.days.to_numpy() + 1
    out = df.loc[df.index.repeat(ndays)].copy()
    out["ndays"] = np.repeat(ndays, ndays)
    out["offset"] = np.arange(len(out)) - np.repeat(np.cumsum(ndays) - ndays, ndays)
    out["day"] = out[first] + pd.to_timedelta(out["offset"], unit="D")
    return out


def pandas_panel(
    con: duckdb.DuckDBPyConnection, lo: str, hi: str, start: date, end: date, payers: Payers
) -> pd.DataFrame:
    p0, p1 = pd.Timestamp(start), pd.Timestamp(end)
    persons = _read(
        con,
        "SELECT person_id, birth_date, death_date, moved_out_date, batch_id FROM persons",
        lo,
        hi,
    ).drop_duplicates("person_id", keep="last")
    for c in ("birth_date", "death_date", "moved_out_date"):
        persons[c] = pd.to_datetime(persons[c])
    exit_day = persons[["death_date", "moved_out_date"]].min(axis=1)
    persons["rs"] = persons["birth_date"].where(persons["birth_date"] > p0, p0)
    persons["re"] = (exit_day - pd.Timedelta(days=1)).fillna(p1).clip(upper=p1)
    persons = persons[persons["re"] >= persons["rs"]]
    res = persons.set_index("person_id")[["rs", "re", "birth_date"]]

    def resident(df: pd.DataFrame, day: str) -> pd.DataFrame:
        df = df.join(res, on="person_id", how="inner")
        return df[(df[day] >= df["rs"]) & (df[day] <= df["re"])]

    def month(s: pd.Series) -> pd.Series:
        return s.dt.to_period("M")

    # Person-months: every month from residence start to end, with its resident days.
    months = pd.period_range(p0, p1, freq="M")
    pm = persons[["person_id", "rs", "re", "birth_date"]].merge(
        pd.DataFrame({"month": months}), how="cross"
    )
    m_first = pm["month"].dt.start_time
    m_last = pm["month"].dt.end_time.dt.normalize()
    pm["days_resident"] = (pm["re"].clip(upper=m_last) - pm["rs"].clip(lower=m_first)).dt.days + 1
    pm = pm[pm["days_resident"] >= 1]
    first = pm["month"].dt.start_time
    birth = pm["birth_date"]
    age = (
        first.dt.year
        - birth.dt.year
        - (
            (first.dt.month < birth.dt.month)
            | ((first.dt.month == birth.dt.month) & (birth.dt.day > 1))
        )
    )
    pm["age"] = np.maximum(age, 0)
    panel = pm.set_index(["person_id", "month"])[["age", "days_resident"]]
    parts = []

    h = _read(
        con,
        'SELECT person_id, "start", "end", priority, setting, psychiatric, cost_dkk '
        "FROM hospital_contacts",
        lo,
        hi,
    )
    h["start"], h["end"] = h["start"].dt.normalize(), h["end"].dt.normalize()
    h["psychiatric"] = h["psychiatric"].fillna(False).astype(bool)
    hd = resident(_expand(h, "start", "end"), "day")
    hd["month"] = month(hd["day"])
    hd["cost"] = hd["cost_dkk"] / hd["ndays"]
    hd["night"] = ((hd["setting"] == "inpatient") & (hd["day"] < hd["end"])).astype(float)
    hd["starts"] = (hd["offset"] == 0).astype(float)
    hd["kind"] = "cost_hospital_" + hd["priority"] + "_" + hd["setting"]
    g = hd.pivot_table(index=["person_id", "month"], columns="kind", values="cost", aggfunc="sum")
    parts.append(g)
    psy = hd[hd["psychiatric"]]
    parts.append(
        psy.groupby(["person_id", "month"]).agg(
            cost_hospital_psychiatric=("cost", "sum"), bed_days_psychiatric=("night", "sum")
        )
    )
    parts.append(hd.groupby(["person_id", "month"]).agg(bed_days=("night", "sum")))
    st = hd[hd["starts"] > 0].copy()
    st["counter"] = np.select(
        [
            (st["setting"] == "inpatient") & (st["priority"] == "acute"),
            (st["setting"] == "inpatient"),
            st["setting"] == "outpatient",
        ],
        ["acute_admissions", "planned_admissions", "outpatient_visits"],
        "emergency_visits",
    )
    parts.append(
        st.pivot_table(
            index=["person_id", "month"], columns="counter", values="starts", aggfunc="sum"
        )
    )

    pc = resident(
        _read(con, "SELECT person_id, date, provider, services, fee_dkk FROM primary_care", lo, hi),
        "date",
    )
    pc["month"] = month(pc["date"])
    pc["services"] = pc["services"].fillna(1).astype(float)
    parts.append(
        pc.pivot_table(
            index=["person_id", "month"], columns="provider", values="fee_dkk", aggfunc="sum"
        ).add_prefix("cost_pc_")
    )
    parts.append(
        pc.pivot_table(
            index=["person_id", "month"], columns="provider", values="services", aggfunc="sum"
        ).add_prefix("services_")
    )

    rx = resident(
        _read(
            con,
            "SELECT person_id, dispensing_date, cost_dkk, subsidy_dkk FROM prescriptions",
            lo,
            hi,
        ),
        "dispensing_date",
    )
    rx["month"] = month(rx["dispensing_date"])
    rx["subsidy_dkk"] = rx["subsidy_dkk"].fillna(0.0)
    parts.append(
        rx.groupby(["person_id", "month"]).agg(
            cost_medicine=("cost_dkk", "sum"),
            medicine_subsidy_dkk=("subsidy_dkk", "sum"),
            dispensings=("cost_dkk", "size"),
        )
    )

    ms = _read(
        con,
        "SELECT person_id, service, start_date, end_date, cost_dkk FROM municipal_services",
        lo,
        hi,
    )
    ms["end_date"] = ms["end_date"].fillna(ms["start_date"])
    msd = resident(_expand(ms, "start_date", "end_date"), "day")
    msd["month"] = month(msd["day"])
    msd["cost"] = msd["cost_dkk"] / msd["ndays"]
    parts.append(
        msd.pivot_table(
            index=["person_id", "month"], columns="service", values="cost", aggfunc="sum"
        ).add_prefix("cost_municipal_")
    )

    tr = _read(con, "SELECT person_id, week, state, amount_dkk FROM transfers", lo, hi)
    tr["thursday"] = pd.to_datetime(tr["week"] + "-4", format="%G-W%V-%u")
    tr = resident(tr[(tr["thursday"] >= p0) & (tr["thursday"] <= p1)], "thursday")
    tr["month"] = month(tr["thursday"])
    tr["amount_dkk"] = tr["amount_dkk"].fillna(0.0)
    tr["one"] = 1.0
    parts.append(
        tr.pivot_table(
            index=["person_id", "month"], columns="state", values="one", aggfunc="sum"
        ).add_prefix("weeks_")
    )
    parts.append(
        tr.pivot_table(
            index=["person_id", "month"], columns="state", values="amount_dkk", aggfunc="sum"
        ).add_prefix("transfer_dkk_")
    )

    # Self-supporting weeks: every resident Thursday at ages 16-64 without a supported week.
    all_days = pd.date_range(p0, p1, freq="D")
    thu = pd.DataFrame({"day": all_days[all_days.dayofweek == 3]})
    thu["month"] = thu["day"].dt.to_period("M")
    thursdays = pm[["person_id", "month", "rs", "re", "birth_date"]].merge(thu, on="month")
    thursdays = thursdays[
        (thursdays["day"] >= thursdays["rs"]) & (thursdays["day"] <= thursdays["re"])
    ]
    a = (
        thursdays["day"].dt.year
        - thursdays["birth_date"].dt.year
        - (
            (thursdays["day"].dt.month < thursdays["birth_date"].dt.month)
            | (
                (thursdays["day"].dt.month == thursdays["birth_date"].dt.month)
                & (thursdays["day"].dt.day < thursdays["birth_date"].dt.day)
            )
        )
    )
    thursdays = thursdays[(a >= 16) & (a <= 64)]
    supported = tr[~tr["state"].isin(["education", "parental_leave"])][["person_id", "thursday"]]
    thursdays = thursdays.merge(
        supported,
        left_on=["person_id", "day"],
        right_on=["person_id", "thursday"],
        how="left",
        indicator=True,
    )
    thursdays = thursdays[thursdays["_merge"] == "left_only"]
    parts.append(
        thursdays.groupby(["person_id", "month"]).agg(weeks_self_supporting=("day", "size"))
    )

    panel = panel.join(parts, how="left")
    for c in PANEL_COLUMNS[2:]:
        if c not in panel:
            panel[c] = 0.0
    panel = panel.fillna(0.0)
    panel["cost_hospital_acute"] = panel[
        [c for c in panel if c.startswith("cost_hospital_acute_")]
    ].sum(axis=1)
    panel["cost_hospital_planned"] = panel[
        [c for c in panel if c.startswith("cost_hospital_planned_")]
    ].sum(axis=1)
    panel["cost_primary_care"] = panel[[f"cost_pc_{p}" for p in PROVIDERS]].sum(axis=1)
    panel["cost_municipal"] = panel[[f"cost_municipal_{s}" for s in SERVICES]].sum(axis=1)
    panel["cost_total"] = panel[
        [
            "cost_hospital_acute",
            "cost_hospital_planned",
            "cost_primary_care",
            "cost_medicine",
            "cost_municipal",
        ]
    ].sum(axis=1)
    panel["transfer_dkk"] = panel[[f"transfer_dkk_{s}" for s in STATES]].sum(axis=1)
    panel["gp_contacts"] = panel["services_gp"]
    for payer in ("region", "municipality", "state", "citizen"):
        total = 0.0
        for category, columns in COST_CATEGORIES.items():
            share = payers.cost_share(category, payer)
            for c in columns:
                total = total + (-share * panel[c[1:]] if c.startswith("-") else share * panel[c])
        panel[f"cost_payer_{payer}"] = total
    for payer in ("municipality", "state"):
        panel[f"transfer_payer_{payer}"] = sum(
            payers.transfer_share(s, payer) * panel[f"transfer_dkk_{s}"] for s in STATES
        )
    panel = panel.reset_index()
    panel["month"] = panel["month"].dt.to_timestamp().dt.date
    return panel[list(PANEL_COLUMNS)]
