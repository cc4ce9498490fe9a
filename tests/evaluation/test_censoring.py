"""Death, moving out and starting the programme in the outcomes (``_outcomes.unit_status``,
``_workflow._status``, ``_estimates.outcome_matrix`` and the matched DiD of ``_did``), on a
hand-made extract whose every value is known.

The rules (docstrings of ``_outcomes.unit_status``, ``_estimates`` and ``_did``):

- a month after death is zero use (the panel has no row for it, the person uses nothing);
- moving out censors from the month of the move: no data is not zero use;
- a control who starts the programme is censored from that month; its matched set's comparison
  then rests on the set's other controls, and the set drops out of the months in which it has
  none left;
- a participant's second course is part of its follow-up and censors nothing.

All units have the index month June 2021 (relative month 0); the only values are GP fees
(``cost_primary_care``), none before the index month, so every set's baseline difference is 0
and each month's effect is the mean over the sets observed of participant minus the mean of its
observed controls.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from broen.analytics.cohort import DuckDBSource
from broen.analytics.evaluation._did import bootstrap_counts, matched_did, set_differences
from broen.analytics.evaluation._estimates import UnitStatus, outcome_matrix
from broen.analytics.evaluation._outcomes import outcome_rows, unit_status
from broen.analytics.evaluation._workflow import FAR, _status

from .conftest import COLUMNS, PROGRAMME

METRIC = "cost_primary_care"
FIRST, LAST = -24, 23
REL = np.arange(FIRST, LAST + 1)

PERSONS = {  # person: (death_date, moved_out_date)
    "p": ("", ""),  # participant; a second course from 1 March 2022 (relative month 9)
    "p2": ("", ""),  # participant whose only control starts the programme
    "p3": ("", ""),  # participant with the controls dead, mover and busy
    "starter": ("", ""),  # control of p; starts the programme on 5 January 2022 (month 7)
    "plain": ("", ""),  # control of p; referred in December 2021 but never started
    "starter2": ("", ""),  # the only control of p2; starts on 5 January 2022 too
    "dead": ("2021-09-15", ""),  # control of p3; dies in September 2021 (month 3)
    "mover": ("", "2021-10-01"),  # control of p3; gone from 1 October 2021 (month 4)
    "busy": ("", ""),  # control of p3
    "mover_mid": ("", "2021-10-15"),  # moves on 15 October: half of October is observed
    "moved_then_died": ("2022-02-01", "2021-08-01"),  # moves in August, dies abroad in 2022
    "dies_late": ("2023-03-10", ""),  # index month January 2023; dies in March 2023
}
EPISODES = [
    ["e1", "p", PROGRAMME, "2021-05-20", "2021-06-10", "completed"],
    ["e2", "p", PROGRAMME, "2022-02-01", "2022-03-01", "enrolled"],  # the second course
    ["e3", "p2", PROGRAMME, "2021-06-01", "2021-06-20", "enrolled"],
    ["e4", "p3", PROGRAMME, "2021-06-01", "2021-06-05", "enrolled"],
    ["e5", "starter", PROGRAMME, "2021-12-10", "2022-01-05", "enrolled"],
    ["e6", "starter2", PROGRAMME, "2021-12-10", "2022-01-05", "enrolled"],
    ["e7", "plain", PROGRAMME, "2021-12-01", "", "declined"],
    ["e8", "busy", "other", "2021-06-01", "2021-07-01", "enrolled"],  # another programme
]
FEES = [  # person, date, fee (DKK): cost_primary_care of that month
    ["p", "2021-08-15", 300],  # month 2
    ["p", "2022-04-15", 300],  # month 10, during the second course
    ["p2", "2022-02-15", 100],  # month 8
    ["starter", "2022-02-15", 80],  # month 8, after its start: not a control's value any more
    ["plain", "2022-02-15", 40],  # month 8
    ["starter2", "2021-08-15", 60],  # month 2
    ["dead", "2021-07-15", 200],  # month 1
    ["mover", "2021-08-15", 50],  # month 2
    ["busy", "2022-02-15", 90],  # month 8
    ["mover_mid", "2021-10-05", 70],  # month 4, before the moving day
]
# unit: person, participant?, matched set
UNITS = [
    ("p", True, 0),
    ("p2", True, 1),
    ("p3", True, 2),
    ("starter", False, 0),
    ("plain", False, 0),
    ("starter2", False, 1),
    ("dead", False, 2),
    ("mover", False, 2),
    ("busy", False, 2),
]
INDEX = date(2021, 6, 1)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from broen.analytics import import_extract
    from broen.analytics.panel import build_panel

    root = tmp_path_factory.mktemp("censoring")
    extract = root / "extract"
    extract.mkdir()
    (extract / "extract.json").write_text(
        json.dumps({"period_start": "2019-01-01", "period_end": "2023-12-31"})
    )
    tables = {
        "persons": [
            [pid, "1970-01-01", "F", 360, "basic", "danish", "false", death, moved]
            for pid, (death, moved) in PERSONS.items()
        ],
        "primary_care": [[pid, day, "gp", 1, fee] for pid, day, fee in FEES],
        "programme_episodes": EPISODES,
    }
    for name, rows in tables.items():
        with (extract / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS[name])
            writer.writerows(rows)
    path = root / "w.duckdb"
    report = import_extract(extract, warehouse=path)
    assert report.rows_rejected == 0, report.rule_counts()
    build_panel(path)
    return path


@pytest.fixture(scope="module")
def source(warehouse: Path) -> Iterator[DuckDBSource]:
    con = duckdb.connect(str(warehouse), read_only=True)
    yield DuckDBSource(con)
    con.close()


def units_frame(units: list[tuple[str, bool, int]], index: date = INDEX) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_id": np.arange(len(units), dtype=np.int64),
            "person_id": [u[0] for u in units],
            "index_month": [index] * len(units),
            "treated": [u[1] for u in units],
            "set_id": np.array([u[2] for u in units], dtype=np.int64),
        }
    )


def keys(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(
        frame[["unit_id", "person_id", "index_month"]], preserve_index=False
    )


def matrix(source: DuckDBSource, frame: pd.DataFrame) -> np.ndarray:
    """Units x months -24..23 as the workflow builds it."""
    rows = outcome_rows(source, keys(frame), [METRIC], FIRST, LAST).to_pandas()
    status = _status(source, frame, PROGRAMME, date(2023, 12, 31))
    return outcome_matrix(rows, METRIC, len(frame), FIRST, LAST, status)


def at(values: np.ndarray, unit: int, month: int) -> float:
    return float(values[unit, month - FIRST])


def test_the_panel_has_no_row_after_death_or_moving_out(source: DuckDBSource) -> None:
    frame = units_frame([("dead", False, 0), ("mover", False, 0), ("mover_mid", False, 0)])
    rows = outcome_rows(source, keys(frame), [METRIC], FIRST, LAST).to_pylist()
    months = {u: [r["rel_month"] for r in rows if r["unit_id"] == u] for u in range(3)}
    assert months[0] == list(range(-24, 4))  # alive some day of September 2021 (month 3)
    assert months[1] == list(range(-24, 4))  # no resident day in October
    assert months[2] == list(range(-24, 5))  # resident 1-14 October
    value = {(r["unit_id"], r["rel_month"]): r[METRIC] for r in rows}
    assert (value[(0, 1)], value[(0, 3)], value[(1, 2)], value[(2, 4)]) == (200, 0, 50, 70)


def test_unit_status_of_the_hand_made_persons(source: DuckDBSource) -> None:
    frame = units_frame([(p, False, 0) for p in ("p", "dead", "mover", "mover_mid", "starter",
                                                 "plain", "moved_then_died", "busy")])  # fmt: skip
    table = unit_status(source, keys(frame), PROGRAMME, date(2023, 12, 31)).to_pylist()
    fields = ("death_rel", "moved_out_rel", "next_start_rel", "zero_from_rel", "censor_rel")
    got = {r["person_id"]: tuple(r[f] for f in fields) for r in table}
    assert got == {
        # (death, moved out, next start, zero from, censor from); December 2023 is month 30
        "p": (None, None, 9, None, 9),  # the second course: censors only a control
        "dead": (3, None, None, 4, 31),
        "mover": (None, 4, None, None, 4),
        "mover_mid": (None, 4, None, None, 4),
        "starter": (None, None, 7, None, 7),
        "plain": (None, None, None, None, 31),  # a referral that was declined is no start
        "moved_then_died": (8, 2, None, 9, 2),
        "busy": (None, None, None, None, 31),  # another programme's start is nothing
    }


def test_with_the_referral_as_index_a_control_is_censored_when_referred(
    source: DuckDBSource,
) -> None:
    """``--index referral`` makes the offer the treatment: a control leaves the comparison in
    the month it is referred, whether or not it then starts (and declining changes nothing)."""
    frame = units_frame([(p, False, 0) for p in ("p", "starter", "plain", "busy")])
    table = unit_status(
        source, keys(frame), PROGRAMME, date(2023, 12, 31), entry="referral_date"
    ).to_pylist()
    got = {r["person_id"]: (r["next_start_rel"], r["censor_rel"]) for r in table}
    assert got == {
        "p": (8, 8),  # the second course's referral, 1 February 2022
        "starter": (6, 6),  # referred in December 2021, started in January
        "plain": (6, 6),  # referred in December 2021 and declined: still the offer
        "busy": (None, 31),
    }
    with pytest.raises(ValueError, match="start_date or referral_date"):
        unit_status(source, keys(frame), PROGRAMME, date(2023, 12, 31), entry="end_date")


def test_zero_after_death_censored_after_moving_or_starting(source: DuckDBSource) -> None:
    frame = units_frame(
        [*UNITS, ("mover_mid", False, 2), ("moved_then_died", False, 2), ("p", False, 0)]
    )
    values = matrix(source, frame)
    p, dead, mover, starter, mover_mid, moved_then_died, p_as_control = 0, 6, 7, 3, 9, 10, 11
    # death in month 3: its use in month 1, zero in month 3 (alive, no use) and from month 4
    # on (no panel row: zero use)
    assert at(values, dead, 1) == 200.0
    assert np.all(values[dead, REL >= 3] == 0.0)
    # moving out: observed up to month 3, not zero but unobserved from month 4 on
    assert at(values, mover, 2) == 50.0 and at(values, mover, 3) == 0.0
    assert np.all(np.isnan(values[mover, REL >= 4]))
    # moving on 15 October: October's panel row holds half a month (70 DKK): censored too
    assert np.all(np.isnan(values[mover_mid, REL >= 4]))
    # moving in August and dying in February: unobserved from August, never zero
    assert np.all(np.isnan(values[moved_then_died, REL >= 2]))
    assert np.all(values[moved_then_died, REL < 2] == 0.0)
    # a control that starts in month 7: its fee of month 8 is not a control's value
    assert at(values, starter, 6) == 0.0
    assert np.all(np.isnan(values[starter, REL >= 7]))
    # the participant's second course (month 9) censors nothing: month 10's fee counts
    assert at(values, p, 10) == 300.0
    assert np.all(np.isfinite(values[p]))
    # the same person as a control would be censored from month 9
    assert np.all(np.isnan(values[p_as_control, REL >= 9]))
    # and everybody is observed before the index month
    assert np.all(np.isfinite(values[:, REL < 0]))


def test_the_matched_comparison_after_censoring(source: DuckDBSource) -> None:
    frame = units_frame(UNITS)
    values = matrix(source, frame)
    set_of = frame["set_id"].to_numpy()
    treated = frame["treated"].to_numpy()
    participant, controls, diff = set_differences(values, set_of, treated, 3)
    result = matched_did(
        diff, participant, controls, REL.tolist(), (-12, -1), [(0, 11)], bootstrap_counts(3, 50, 0)
    )
    effect = {int(m): e.value for m, e in zip(result.months, result.by_month, strict=True)}
    n = dict(zip(result.months.tolist(), result.n_by_month.tolist(), strict=True))
    # Set 0: p | starter, plain. Set 1: p2 | starter2. Set 2: p3 | dead, mover, busy.
    # Month 1: 0, 0 and 0 - (200 + 0 + 0) / 3
    assert effect[1] == pytest.approx(-200 / 9)
    # Month 2: 300 - 0, 0 - 60 and 0 - (0 + 50 + 0) / 3
    assert effect[2] == pytest.approx((300 - 60 - 50 / 3) / 3)
    # Month 4: the mover is censored; the dead control is zero use: set 2 still compares
    assert (effect[4], n[4]) == (0.0, 3)
    # From month 7 the starters are censored: set 0 keeps plain, set 1 has nobody left
    assert [n[m] for m in (6, 7, 8, 23)] == [3, 2, 2, 2]
    # Month 8: set 0: 0 - 40 (not 0 - (80 + 40) / 2); set 2: 0 - (0 + 90) / 2, with the dead
    # control as zero use and the mover left out (as zero it would be (0 + 0 + 90) / 3);
    # set 1 (p2's 100) is not compared
    assert effect[8] == pytest.approx((-40 - 45) / 2)
    # Month 10: set 0: 300 - 0, p's second course notwithstanding; set 2: 0
    assert effect[10] == pytest.approx(150.0)
    assert effect[0] == effect[3] == effect[9] == effect[11] == 0.0
    window = result.windows[(0, 11)]
    assert window.value == pytest.approx(-200 / 9 + (300 - 60 - 50 / 3) / 3 - 42.5 + 150)
    assert window.n == 3
    # The means by month for the report follow the same sets
    assert result.participant_mean[8 - FIRST] == 0.0
    assert result.control_mean[8 - FIRST] == pytest.approx((40 + 45) / 2)


def test_the_participants_own_later_start_is_kept_by_status(source: DuckDBSource) -> None:
    """``_workflow._status``: the participant's second course leaves it uncensored to the
    extract's end; the same unit as a control is censored from the start."""
    frame = units_frame([("p", True, 0), ("p", False, 0)])
    status = _status(source, frame, PROGRAMME, date(2023, 12, 31))
    assert status.censored_from.tolist() == [31, 9]
    assert status.zero_from.tolist() == [FAR, FAR]


def test_after_the_extracts_end_the_dead_are_unobserved_like_everyone(
    source: DuckDBSource,
) -> None:
    frame = units_frame([("dies_late", True, 0), ("busy", False, 0)], index=date(2023, 1, 1))
    status = unit_status(source, keys(frame), PROGRAMME, date(2023, 12, 31)).to_pylist()
    assert [(s["death_rel"], s["zero_from_rel"], s["censor_rel"]) for s in status] == [
        (2, 3, 12),
        (None, None, 12),
    ]
    values = matrix(source, frame)
    assert np.all(values[0, (REL >= 3) & (REL < 12)] == 0.0)  # zero use, inside the extract
    assert np.all(np.isnan(values[1, REL >= 12]))  # the living control: unobserved
    assert np.all(np.isnan(values[0, REL >= 12]))  # the dead participant: 0 today


def test_status_without_any_event_is_far_away() -> None:
    """UnitStatus holds "never" as a large number, so comparisons need no nulls."""
    status = UnitStatus(zero_from=np.array([FAR]), censored_from=np.array([FAR]))
    rows = pd.DataFrame({"unit_id": [0], "rel_month": [0], METRIC: [5.0]})
    values = outcome_matrix(rows, METRIC, 1, -1, 1, status)
    assert np.isnan(values[0, 0]) and values[0, 1] == 5.0 and np.isnan(values[0, 2])


def test_a_month_without_any_observed_set_is_quiet() -> None:
    values = np.array([[1.0, 2.0, np.nan], [0.0, 1.0, 4.0]])  # the participant ends in month 1
    set_of, treated = np.array([0, 0]), np.array([True, False])
    participant, controls, diff = set_differences(values, set_of, treated, 1)
    result = matched_did(
        diff, participant, controls, [-1, 0, 1], (-1, -1), [(0, 0)], bootstrap_counts(1, 50, 0)
    )
    assert result.n_by_month.tolist() == [1, 1, 0]
    assert np.isnan(result.participant_mean[2]) and np.isnan(result.control_mean[2])
