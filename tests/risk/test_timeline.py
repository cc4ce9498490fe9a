"""The citizen timeline on a hand-built person: the panel's numbers, the registers' numbers
and the hand-computed ones agree; the HTML is self-contained; CPR-shaped ids are refused."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from broen.analytics import ConfigurationError, connect
from broen.analytics._privacy import PrivacyError
from broen.analytics._timeline import (
    DEFAULT_TIMELINE_DIR,
    SECTORS,
    month_range,
    timeline,
    timeline_path,
    write_timeline_html,
)
from tests.analytics.test_cpr import make_cpr
from tests.risk import panel_sql
from tests.risk.conftest import HAND_PERSON, build_panel

NUMBERS = [s[0] for s in SECTORS] + ["cost_total", "acute_admissions", "bed_days", "gp_contacts"]


def _month(frame: pd.DataFrame, day: date) -> dict[str, Any]:
    rows: list[dict[str, Any]] = frame[frame["month"] == day].to_dict("records")
    assert len(rows) == 1
    return rows[0]


def _check_hand_numbers(tl_months: pd.DataFrame) -> None:
    jan, feb, mar = (_month(tl_months, date(2020, m, 1)) for m in (1, 2, 3))
    # The stay 30 Jan - 3 Feb: 2 + 2 bed days, 5,000 DKK spread 2/5 and 3/5.
    assert (jan["bed_days"], feb["bed_days"]) == (2, 2)
    assert jan["hospital_acute"] == pytest.approx(2_000)
    assert feb["hospital_acute"] == pytest.approx(3_000)
    assert (jan["acute_admissions"], feb["acute_admissions"]) == (1, 0)
    assert mar["hospital_acute"] == pytest.approx(2_500)  # the emergency visit
    assert feb["gp"] == pytest.approx(204) and feb["gp_contacts"] == 3
    # Rehabilitation 25 Feb - 5 Mar: 10 days, 1,000 DKK: 5 days in each month.
    assert feb["municipal"] == pytest.approx(500) and mar["municipal"] == pytest.approx(500)
    assert feb["medicine"] == pytest.approx(420)
    assert mar["transfer_dkk"] == pytest.approx(8_000)
    assert mar["transfer_state"] == "sickness_benefit"
    assert feb["cost_total"] == pytest.approx(3_000 + 204 + 420 + 500)


def test_timeline_from_the_registers(hand_warehouse: Path) -> None:
    tl = timeline(hand_warehouse, HAND_PERSON)
    assert tl.source == "registers"
    assert tl.months["month"].iloc[0] == date(2018, 1, 1)
    assert tl.months["month"].iloc[-1] == date(2021, 12, 1)
    _check_hand_numbers(tl.months)
    kinds = [m.kind for m in tl.markers]
    assert kinds.count("acute_admission") == 1
    assert {"referral", "start", "end"} <= set(kinds)


@pytest.mark.parametrize("builder", ["broen", "sql"])
def test_timeline_equals_the_panel(hand_warehouse: Path, builder: str) -> None:
    from_registers = timeline(hand_warehouse, HAND_PERSON).months
    if builder == "sql":
        with connect(hand_warehouse) as con:
            panel_sql.build_panel(con)
    else:
        build_panel(hand_warehouse)
    tl = timeline(hand_warehouse, HAND_PERSON)
    assert tl.source == "panel"
    _check_hand_numbers(tl.months)
    assert len(tl.months) == len(from_registers)
    for column in NUMBERS:
        assert tl.months[column].tolist() == pytest.approx(from_registers[column].tolist())
    with connect(hand_warehouse, read_only=True) as con:
        total = con.execute(
            "SELECT sum(cost_total), sum(bed_days) FROM panel WHERE person_id = ?", [HAND_PERSON]
        ).fetchall()[0]
    assert tl.months["cost_total"].sum() == pytest.approx(total[0])
    assert tl.months["bed_days"].sum() == total[1]


def test_timeline_window_and_html(hand_warehouse: Path, tmp_path: Path) -> None:
    tl = timeline(hand_warehouse, HAND_PERSON, start="2020-01", end="2020-06")
    assert len(tl.months) == 6
    assert all(date(2020, 1, 1) <= m.day <= date(2020, 6, 30) for m in tl.markers)
    page = write_timeline_html(tl, tmp_path / "t.html").read_text(encoding="utf-8")
    assert "<svg" in page and HAND_PERSON in page
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert "<script" not in page.lower() and "<link" not in page.lower()


def test_timeline_refuses_cpr_shaped_ids(hand_warehouse: Path) -> None:
    # Synthetic CPR numbers made at run time; none is written in the repository.
    with pytest.raises(PrivacyError, match="CPR"):
        timeline(hand_warehouse, make_cpr(date(1961, 3, 2), 17, "F"))
    with pytest.raises(PrivacyError):
        timeline(hand_warehouse, make_cpr(date(1961, 3, 2), 17, "F", hyphen=False))


def test_timeline_of_an_unknown_person(hand_warehouse: Path) -> None:
    with pytest.raises(ConfigurationError, match="no person"):
        timeline(hand_warehouse, "p-nobody")


def test_timeline_months_are_checked_before_the_warehouse(tmp_path: Path) -> None:
    missing = tmp_path / "none.duckdb"
    with pytest.raises(ConfigurationError) as err:
        timeline(missing, HAND_PERSON, start="2020-05", end="2020-04")
    assert str(err.value) == (
        "The first month 2020-05 is after the last month 2020-04: swap --from and --to."
    )
    for bad in ("2020-13", "2020-5", "../2020-05", "2020-05-01"):
        with pytest.raises(ConfigurationError, match="not a month in the form YYYY-MM"):
            timeline(missing, HAND_PERSON, start=bad)
    assert month_range("2020-04", "2020-04") == (date(2020, 4, 1), date(2020, 4, 1))
    assert month_range(None, "2020-04") == (date.min, date(2020, 4, 1))
    assert not missing.exists()


@pytest.mark.parametrize("person_id", ["../../x", "/etc/passwd", "a/b", "..", ".", "..\\x"])
def test_the_default_html_path_stays_in_the_timeline_folder(
    person_id: str, hand_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    tl = timeline(hand_warehouse, HAND_PERSON, start="2020-01", end="2020-02")
    tl.person_id = person_id  # as if the warehouse held such an id
    path = write_timeline_html(tl)
    folder = (tmp_path / DEFAULT_TIMELINE_DIR).resolve()
    assert path == timeline_path(person_id) and path.resolve().parent == folder
    assert [p.name for p in tmp_path.rglob("*.html")] == [path.name]
    assert timeline_path(HAND_PERSON) == DEFAULT_TIMELINE_DIR / f"{HAND_PERSON}.html"
