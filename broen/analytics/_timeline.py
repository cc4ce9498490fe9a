"""The citizen timeline: one person's use of every sector, month by month ("Peter").

:func:`timeline` reads the person's rows of the person-month panel, or, when the panel has not
been built, computes the same monthly figures from the contract tables with the contract's rules
(cost spread evenly over the days of a contact, first and last day included; bed days counted on
the evening they begin; events in the month they start; a week in the month of its Thursday).
Acute admissions and programme referrals, starts and ends are kept as dated markers.
:func:`write_timeline_html` draws a stacked bar chart of monthly cost by sector with the markers
and the transfer income below, as inline SVG in a self-contained HTML file (a template of
:mod:`broen.analytics._report`, in Danish or English).

Only pseudonymised ids: a CPR-shaped id is refused. The output is personal data about one
(pseudonymised) person, not an aggregate: keep it where the warehouse is kept.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from broen.analytics._contract import TRANSFER_STATES
from broen.analytics._cpr import is_cpr_shaped
from broen.analytics._exceptions import ConfigurationError
from broen.analytics._paths import path_in
from broen.analytics._privacy import PrivacyError
from broen.analytics._report import (
    Translations,
    check_language,
    figure_svg,
    render,
    write_report,
)
from broen.analytics._warehouse import connect, has_table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DEFAULT_TIMELINE_DIR = Path("broen-data") / "timeline"
_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")

# (column, Danish label, English label, colour) — the cost sectors, stacked in this order.
SECTORS: tuple[tuple[str, str, str, str], ...] = (
    ("hospital_acute", "Sygehus, akut", "Hospital, acute", "#c0392b"),
    ("hospital_planned", "Sygehus, planlagt", "Hospital, planned", "#e67e22"),
    ("gp", "Egen læge", "GP", "#2e86c1"),
    ("specialist", "Speciallæge", "Specialist", "#85c1e9"),
    ("other_primary", "Anden praksis", "Other primary care", "#a9cce3"),
    ("medicine", "Medicin", "Medicine", "#27ae60"),
    ("municipal", "Kommunal pleje", "Municipal care", "#8e44ad"),
)
COUNTS: tuple[str, ...] = (
    "acute_admissions",
    "emergency_visits",
    "bed_days",
    "gp_contacts",
    "dispensings",
)
STATES: tuple[str, ...] = TRANSFER_STATES
STATE_COLOURS: dict[str, str] = dict(
    zip(
        STATES,
        (
            "#e74c3c",
            "#f39c12",
            "#d35400",
            "#16a085",
            "#7f8c8d",
            "#3498db",
            "#9b59b6",
            "#95a5a6",
            "#34495e",
        ),
        strict=True,
    )
)
COLUMNS: tuple[str, ...] = (
    "month",
    *(s[0] for s in SECTORS),
    "cost_total",
    *COUNTS,
    "transfer_dkk",
    "transfer_state",
)


# The texts of the HTML page (templates/timeline.html); the plot has its own labels.
TEXTS = Translations.from_pairs(
    {
        "title": ("Broen: {person}", "Broen: {person}"),
        "source": ("Kilde: {source}.", "Source: {source}."),
        "source.panel": ("person-måned-panelet", "the person-month panel"),
        "source.registers": (
            "registrene (panelet er ikke bygget)",
            "the registers (the panel has not been built)",
        ),
        "privacy": (
            "Pseudonymiseret id, men personhenførbare data om én person: opbevar filen, "
            "hvor lageret opbevares, og offentliggør den ikke.",
            "Pseudonymised id, but personal data about one person: keep this file where "
            "the warehouse is kept and do not publish it.",
        ),
        "figure_caption": (
            "Forbrug pr. måned fordelt på sektorer (kr.) med akutte indlæggelser (▼) og "
            "forløbs henvisning, start og slut; nederst overførselsindkomst farvet efter "
            "ydelse.",
            "Monthly cost by sector (DKK) with acute admissions (▼) and programme referral, "
            "start and end; below, transfer income coloured by benefit.",
        ),
        "events": ("Hændelser", "Events"),
        "no_events": ("Ingen hændelser i perioden.", "No events in the period."),
        "table": ("Måned for måned (kr.)", "Month by month (DKK)"),
        "column.month": ("måned", "month"),
        "column.cost_total": ("i alt", "total"),
        "column.acute_admissions": ("akutte indlæggelser", "acute admissions"),
        "column.emergency_visits": ("skadestuebesøg", "emergency visits"),
        "column.bed_days": ("sengedage", "bed days"),
        "column.gp_contacts": ("lægekontakter", "GP contacts"),
        "column.dispensings": ("receptindløsninger", "dispensings"),
        "column.transfer_dkk": ("overførsler", "transfers"),
        "column.transfer_state": ("ydelse", "benefit"),
        **{f"column.{c}": (da, en) for c, da, en, _ in SECTORS},
    }
)


@dataclass(frozen=True)
class Marker:
    """A dated event on the timeline: an acute admission or a programme referral/start/end."""

    day: date
    kind: str  # "acute_admission", "referral", "start", "end"
    label: str


@dataclass
class Timeline:
    person_id: str
    months: pd.DataFrame  # one row per month, columns COLUMNS
    markers: list[Marker] = field(default_factory=list)
    source: str = "panel"  # or "registers" when the panel has not been built


def _month(day: date) -> date:
    return date(day.year, day.month, 1)


def _add_months(day: date, n: int) -> date:
    k = day.year * 12 + day.month - 1 + n
    return date(k // 12, k % 12 + 1, 1)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, person_id: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql, [person_id])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _from_panel(con: duckdb.DuckDBPyConnection, person_id: str) -> pd.DataFrame:
    weeks = ", ".join(f"weeks_{s}" for s in STATES)
    rows = _rows(
        con,
        "SELECT month, cost_hospital_acute AS hospital_acute, "
        "cost_hospital_planned AS hospital_planned, cost_pc_gp AS gp, "
        "cost_pc_specialist AS specialist, "
        "cost_primary_care - cost_pc_gp - cost_pc_specialist AS other_primary, "
        "cost_medicine AS medicine, cost_municipal AS municipal, cost_total, "
        f"{', '.join(COUNTS)}, transfer_dkk, {weeks} "
        "FROM panel WHERE person_id = ? ORDER BY month",
        person_id,
    )
    for row in rows:
        row["transfer_state"] = _main_state({s: row.pop(f"weeks_{s}") or 0 for s in STATES})
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _main_state(weeks: dict[str, float]) -> str:
    """The state with most weeks in the month ("" when none: self-supporting)."""
    if not weeks:
        return ""
    state, n = max(weeks.items(), key=lambda kv: kv[1])
    return state if n > 0 else ""


def _spread(acc: dict[date, float], first: date, last: date, amount: float) -> None:
    days = (last - first).days + 1
    day = first
    while day <= last:
        acc[_month(day)] += amount / days
        day += timedelta(days=1)


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _from_registers(
    con: duckdb.DuckDBPyConnection, person_id: str, person: dict[str, Any]
) -> pd.DataFrame:
    period = con.execute("SELECT min(period_start), max(period_end) FROM batches").fetchall()[0]
    if period[0] is None:
        raise ConfigurationError("The warehouse has no imported period: import an extract first.")
    first = max(_month(period[0]), _month(person["birth_date"]))
    ends = [period[1], person["death_date"], person["moved_out_date"]]
    if person["moved_out_date"] is not None:
        ends[2] = person["moved_out_date"] - timedelta(days=1)
    last = _month(min(d for d in ends if d is not None))
    values: dict[str, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    weeks: dict[date, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for c in _rows(con, "SELECT * FROM hospital_contacts WHERE person_id = ?", person_id):
        start, end = _as_date(c["start"]), _as_date(c["end"])
        sector = "hospital_acute" if c["priority"] == "acute" else "hospital_planned"
        _spread(values[sector], start, end, float(c["cost_dkk"]))
        if c["priority"] == "acute" and c["setting"] == "inpatient":
            values["acute_admissions"][_month(start)] += 1
        if c["setting"] == "emergency":
            values["emergency_visits"][_month(start)] += 1
        if c["setting"] == "inpatient":
            for k in range((end - start).days):
                values["bed_days"][_month(start + timedelta(days=k))] += 1
    for r in _rows(con, "SELECT * FROM primary_care WHERE person_id = ?", person_id):
        provider = r["provider"] if r["provider"] in ("gp", "specialist") else "other_primary"
        values[provider][_month(r["date"])] += float(r["fee_dkk"])
        if r["provider"] == "gp":
            values["gp_contacts"][_month(r["date"])] += r["services"] or 1
    for r in _rows(con, "SELECT * FROM prescriptions WHERE person_id = ?", person_id):
        values["medicine"][_month(r["dispensing_date"])] += float(r["cost_dkk"])
        values["dispensings"][_month(r["dispensing_date"])] += 1
    for r in _rows(con, "SELECT * FROM municipal_services WHERE person_id = ?", person_id):
        _spread(
            values["municipal"], r["start_date"], r["end_date"] or r["start_date"], r["cost_dkk"]
        )
    for r in _rows(con, "SELECT * FROM transfers WHERE person_id = ?", person_id):
        year, week = int(r["week"][:4]), int(r["week"][6:8])
        month = _month(date.fromisocalendar(year, week, 4))
        values["transfer_dkk"][month] += float(r["amount_dkk"] or 0)
        weeks[month][r["state"]] += 1
    rows = []
    month = first
    while month <= last:
        row: dict[str, Any] = {"month": month}
        for name in COLUMNS[1:-1]:
            row[name] = values[name].get(month, 0.0) if name != "cost_total" else 0.0
        row["cost_total"] = sum(row[s[0]] for s in SECTORS)
        row["transfer_state"] = _main_state(weeks.get(month, {}))
        rows.append(row)
        month = _add_months(month, 1)
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _markers(con: duckdb.DuckDBPyConnection, person_id: str) -> list[Marker]:
    out = [
        Marker(_as_date(c["start"]), "acute_admission", "akut indlæggelse / acute admission")
        for c in _rows(
            con,
            "SELECT start FROM hospital_contacts WHERE person_id = ? AND priority = 'acute' "
            "AND setting = 'inpatient'",
            person_id,
        )
    ]
    for e in _rows(con, "SELECT * FROM programme_episodes WHERE person_id = ?", person_id):
        for kind, column in (("referral", "referral_date"), ("start", "start_date")):
            if e[column] is not None:
                out.append(Marker(e[column], kind, f"{e['programme']}: {kind}"))
        if e["end_date"] is not None:
            out.append(Marker(e["end_date"], "end", f"{e['programme']}: {e['status']}"))
    return sorted(out, key=lambda m: (m.day, m.kind))


def check_person_id(person_id: str) -> None:
    if is_cpr_shaped(person_id.strip()):
        raise PrivacyError(
            "That looks like a CPR number. Broen shows timelines for pseudonymised ids only: "
            "use the person's pseudonym from the warehouse."
        )


def month_range(start: str | None, end: str | None) -> tuple[date, date]:
    """The first days of the months ``start`` and ``end`` (YYYY-MM; None: open-ended)."""
    for value in (start, end):
        if value is not None and not _MONTH.fullmatch(value):
            raise ConfigurationError(f"{value!r} is not a month in the form YYYY-MM.")
    lo = date.fromisoformat(f"{start}-01") if start else date.min
    hi = date.fromisoformat(f"{end}-01") if end else date.max
    if lo > hi:
        raise ConfigurationError(
            f"The first month {start} is after the last month {end}: swap --from and --to."
        )
    return lo, hi


def timeline(
    warehouse: Path | None,
    person_id: str,
    *,
    start: str | None = None,
    end: str | None = None,
) -> Timeline:
    """One person's monthly use of every sector, from the panel (or the registers), in the
    months ``start`` to ``end`` (YYYY-MM, both included)."""
    check_person_id(person_id)
    lo, hi = month_range(start, end)
    with connect(warehouse, read_only=True) as con:
        people = _rows(
            con,
            "SELECT birth_date, death_date, moved_out_date FROM persons WHERE person_id = ? "
            "LIMIT 1",
            person_id,
        )
        if not people:
            raise ConfigurationError(f"There is no person {person_id!r} in the warehouse.")
        built = has_table(con, "panel") and bool(
            con.execute("SELECT count(*) FROM (SELECT 1 FROM panel LIMIT 1)").fetchall()[0][0]
        )
        if built:
            months, source = _from_panel(con, person_id), "panel"
        else:
            months, source = _from_registers(con, person_id, people[0]), "registers"
        markers = _markers(con, person_id)
    months = months[(months["month"] >= lo) & (months["month"] <= hi)].reset_index(drop=True)
    hi_day = _add_months(hi, 1) - timedelta(days=1) if end else date.max
    markers = [m for m in markers if lo <= m.day <= hi_day]
    return Timeline(person_id, months, markers, source)


def plot(tl: Timeline, language: str = "da") -> Figure:
    """Stacked monthly cost by sector with markers; transfer income below."""
    # matplotlib loads here, not with the module: every command would pay for it otherwise.
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    fig = Figure(figsize=(12, 6), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1])
    x = [pd.Timestamp(m) for m in tl.months["month"]]
    base = [0.0] * len(x)
    for column, da, en, colour in SECTORS:
        values = tl.months[column].astype(float).tolist()
        top.bar(
            x, values, width=25, bottom=base, color=colour, label=da if language == "da" else en
        )
        base = [b + v for b, v in zip(base, values, strict=True)]
    peak = max(base, default=0.0) or 1.0
    for kind, style, colour, da_label in (
        ("referral", ":", "#555555", "henvisning"),
        ("start", "-", "#1e8449", "forløb start"),
        ("end", "--", "#1e8449", "forløb slut"),
    ):
        days = [pd.Timestamp(m.day) for m in tl.markers if m.kind == kind]
        name = da_label if language == "da" else f"programme {kind}"
        for i, day in enumerate(days):
            top.axvline(
                day, linestyle=style, color=colour, linewidth=1.2, label=name if i == 0 else None
            )
    admissions = [pd.Timestamp(m.day) for m in tl.markers if m.kind == "acute_admission"]
    if admissions:
        top.scatter(
            admissions,
            [peak * 1.05] * len(admissions),
            marker="v",
            color="#c0392b",
            zorder=3,
            label="akut indlæggelse" if language == "da" else "acute admission",
        )
    top.set_ylim(0, peak * 1.15)
    top.set_ylabel("DKK pr. måned" if language == "da" else "DKK per month")
    top.set_title(
        f"{tl.person_id}: forbrug på tværs af sektorer"
        if language == "da"
        else f"{tl.person_id}: use across sectors"
    )
    top.legend(loc="upper left", fontsize=7, ncols=4)
    transfers = tl.months["transfer_dkk"].astype(float).tolist()
    states = tl.months["transfer_state"].tolist()
    bottom.bar(x, transfers, width=25, color=[STATE_COLOURS.get(s, "#cccccc") for s in states])
    shown = sorted({s for s in states if s})
    if shown:
        handles = [Patch(color=STATE_COLOURS[s], label=s.replace("_", " ")) for s in shown]
        bottom.legend(handles=handles, loc="upper left", fontsize=7, ncols=5)
    bottom.set_ylabel("overførsler DKK" if language == "da" else "transfers DKK")
    return fig


def timeline_path(person_id: str, folder: Path = DEFAULT_TIMELINE_DIR) -> Path:
    """``<folder>/<person_id>.html``, with the id made a safe file name inside ``folder``."""
    return path_in(folder, person_id, suffix=".html")


def write_timeline_html(tl: Timeline, path: Path | None = None, language: str = "da") -> Path:
    """A self-contained HTML file (``templates/timeline.html``): the chart as inline SVG, the
    events and the monthly table, in ``language`` ("da" or "en"). Written atomically. Default
    path: :func:`timeline_path`."""
    check_language(language)
    path = path if path is not None else timeline_path(tl.person_id)
    page = render(
        "timeline.html",
        translations=TEXTS,
        language=language,
        person_id=tl.person_id,
        source=tl.source,
        chart=figure_svg(plot(tl, language)),
        markers=tl.markers,
        columns=list(tl.months.columns),
        rows=list(tl.months.itertuples(index=False, name=None)),
    )
    return write_report(path, page)
