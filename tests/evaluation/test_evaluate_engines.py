"""One evaluation, two engines: ``evaluate(..., engine="duckdb")`` and
``evaluate(..., engine="spark")`` over the same warehouse give the same design and the same
estimates.

The warehouse is synthetic: 3,000 persons, 2016-01 .. 2022-12, every programme's reach times 15
(``ProgrammeEffects().with_reach``), so that rygestop has 121 analysable participants in 37
index months, 118 of them matched. Rygestop has no shipped config; the config here (written
next to the warehouse) keeps the run short: quarter strata without municipality, 10-year age
bands, four outcomes besides the two negative controls, 99 bootstrap replicates, and a sample
of 20,000 of the ~92,000 candidates for the propensity fit (so that the sampling runs on both
engines). No target group: tests/evaluation/test_candidates_spark.py compares it, and here it
would add half a minute of Spark. The run takes about two minutes on two busy cores, nearly
all of it the Spark evaluation.

The Spark run goes through ``evaluate(..., engine="spark")`` and so exports the warehouse to
Parquet as ``broen evaluate --engine spark`` does (``open_source``), but on the test run's
shared Spark session (``spark`` in conftest.py): ``open_source``'s ``spark_session()`` would
take over that session (``getOrCreate``, resetting its settings) and stop it at the end.

What must agree: the flow, the candidate counts, the analysable participants, the matched units
(person, index month, set, arm) exactly; the propensity model, caliper, equipoise and balance to
1e-9; every estimate (DiD windows and months, placebo, naive before/after, negative controls,
the event-study cross-check, subgroups, participant measures) to 1e-6 relative; the gates.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from broen.analytics import import_extract
from broen.analytics.evaluation import Estimate, Evaluation, evaluate
from broen.analytics.panel import build_panel
from broen.analytics.synth import ProgrammeEffects, generate_extract

pytestmark = pytest.mark.slow

PROGRAMME = "rygestop"
PERSONS = 3000
REACH = 15.0
SAMPLE = 20_000  # candidates sampled for the propensity fit: fewer than there are
METRICS = ["cost_total", "acute_admissions", "bed_days", "cost_payer_region"]
NEGATIVE_CONTROLS = ["cost_hospital_planned", "cost_pc_dentist"]
CONFIG = f"""\
version: 1
programme: {PROGRAMME}
matching:
  period: quarter
  municipality: false
  age_band_years: 10
  max_fit_controls: {SAMPLE}
outcomes:
  metrics: [{", ".join(METRICS)}]
  negative_controls: [{", ".join(NEGATIVE_CONTROLS)}]
bootstrap: {{replicates: 99, seed: 3}}
"""
EXACT = 1e-9  # design: the same inputs to the same in-memory fit
REL = 1e-6  # estimates


@dataclass(frozen=True)
class World:
    warehouse: Path
    config: Path


@dataclass(frozen=True)
class Runs:
    duckdb: Evaluation
    spark: Evaluation


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("engines")
    generate_extract(
        root / "extract",
        persons=PERSONS,
        start="2016-01",
        end="2022-12",
        seed=5,
        effects=ProgrammeEffects().with_reach(REACH),
    )
    warehouse = root / "warehouse" / "w.duckdb"
    warehouse.parent.mkdir()
    report = import_extract(root / "extract", warehouse=warehouse)
    assert report.rows_rejected == 0, report.rule_counts()
    build_panel(warehouse)
    config = root / "rygestop.yaml"
    config.write_text(CONFIG)
    return World(warehouse, config)


@contextmanager
def _shared(session: Any, staged: list[str], warehouse: Path) -> Iterator[Any]:
    """``spark_session`` for ``open_source``: the test run's session, not stopped after. Notes
    the Parquet files that ``open_source`` staged next to the warehouse for Spark to read."""
    staged += sorted(p.name for p in warehouse.parent.glob(".evaluation-staging-*/*"))
    yield session


@pytest.fixture(scope="module")
def runs(world: World, spark: Any) -> Runs:
    with _counting_features() as computed:
        on_duckdb = evaluate(
            PROGRAMME, config=world.config, warehouse=world.warehouse, engine="duckdb"
        )
    # the candidates fit in memory: stored once, the sample and the controls looked up in them
    assert len(computed) == 1  # the participants' covariates only
    staged: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            "broen.analytics._spark.spark_session",
            lambda: _shared(spark, staged, world.warehouse),
        )
        on_spark = evaluate(
            PROGRAMME, config=world.config, warehouse=world.warehouse, engine="spark"
        )
    # Spark read the warehouse's tables from Parquet, and the staging folder is gone
    assert {"persons.parquet", "panel.parquet", "programme_episodes.parquet"} <= set(staged)
    assert not list(world.warehouse.parent.glob(".evaluation-staging-*"))
    return Runs(on_duckdb, on_spark)


@contextmanager
def _counting_features() -> Iterator[list[int]]:
    """The number of units of each ``participant_features`` call of the design."""
    from broen.analytics.evaluation import _design

    calls: list[int] = []
    original = _design.participant_features

    def counted(source: Any, units: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(units.num_rows)
        return original(source, units, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_design, "participant_features", counted)
        yield calls


def test_candidates_too_many_to_store(world: World, runs: Runs) -> None:
    """Candidates that would take more than ``STORE_BYTES`` are computed twice (for the
    propensity sample, then for the scoring) and never stored: the same design and estimates."""
    with pytest.MonkeyPatch.context() as patch, _counting_features() as computed:
        patch.setattr("broen.analytics.evaluation._design.STORE_BYTES", 0)
        unstored = evaluate(
            PROGRAMME, config=world.config, warehouse=world.warehouse, engine="duckdb"
        )
    stored = runs.duckdb
    n_controls = int((~stored.design.units["treated"]).sum())
    assert computed[1:] == [SAMPLE, n_controls]  # after the participants: sample, controls
    columns = ["person_id", "index_month", "set_id", "treated"]
    assert unstored.design.units[columns].to_dict("records") == (
        stored.design.units[columns].to_dict("records")
    )
    _close(unstored.design.model, stored.design.model, EXACT, "model")
    _close(unstored.design.balance, stored.design.balance, EXACT, "balance")
    _close(unstored.design.overlap, stored.design.overlap, EXACT, "overlap")
    for metric in stored.effects:
        _close(unstored.effects[metric], stored.effects[metric], REL, metric)


def _close(left: Any, right: Any, rel: float, where: str = "") -> None:
    """Equal structure; floats equal to ``rel`` (relative, or absolute near zero), NaN equal to
    NaN, everything else (integers, strings, flags) exactly equal."""
    if is_dataclass(left) and not isinstance(left, type):
        assert type(left) is type(right), where
        for f in fields(left):
            _close(getattr(left, f.name), getattr(right, f.name), rel, f"{where}.{f.name}")
    elif isinstance(left, dict):
        assert isinstance(right, dict) and list(left) == list(right), where
        for key in left:
            _close(left[key], right[key], rel, f"{where}[{key!r}]")
    elif isinstance(left, list | tuple | np.ndarray):
        assert len(left) == len(right), where
        for i, (a, b) in enumerate(zip(left, right, strict=True)):
            _close(a, b, rel, f"{where}[{i}]")
    elif isinstance(left, bool | np.bool_) or left is None or isinstance(left, str):
        assert left == right, f"{where}: {left!r} != {right!r}"
    elif isinstance(left, int | np.integer):
        assert int(left) == int(right), f"{where}: {left!r} != {right!r}"
    elif isinstance(left, float | np.floating):
        a, b = float(left), float(right)
        if math.isnan(a) or math.isnan(b):
            assert math.isnan(a) and math.isnan(b), f"{where}: {a!r} != {b!r}"
        else:
            assert b == pytest.approx(a, rel=rel, abs=rel), f"{where}: {a!r} != {b!r}"
    else:
        assert left == right, f"{where}: {left!r} != {right!r}"


def test_the_design_is_meaningful(runs: Runs) -> None:
    """Enough participants, index months and controls for the comparison to mean something,
    and every step ran: the sampled propensity fit, the cross-check, subgroups, measures."""
    ev = runs.duckdb
    design = ev.design
    flow = {s.key: s.n for s in design.flow}
    assert flow["referred"] > 250 and flow["resident_with_full_lookback"] > 100
    assert flow["matched"] == int(design.units["treated"].sum()) >= 100
    assert int((~design.units["treated"]).sum()) > 4 * flow["matched"]
    assert design.participants["index_month"].nunique() >= 30
    assert design.n_candidates > 4 * SAMPLE
    assert list(ev.effects) == METRICS and list(ev.negative_controls) == NEGATIVE_CONTROLS
    assert set(ev.event_study) == set(METRICS)
    assert ev.subgroups and ev.measures and ev.gates


def test_flow_and_candidates(runs: Runs) -> None:
    duck, spark = runs.duckdb, runs.spark
    assert spark.n_referred == duck.n_referred
    assert [(s.key, s.n) for s in spark.design.flow] == [(s.key, s.n) for s in duck.design.flow]
    assert spark.design.n_candidates == duck.design.n_candidates
    assert spark.design.n_candidate_persons == duck.design.n_candidate_persons
    assert spark.design.unmatched == duck.design.unmatched
    assert spark.period == duck.period


def test_participants_and_matched_units(runs: Runs) -> None:
    duck, spark = runs.duckdb.design, runs.spark.design
    columns = ["unit_id", "person_id", "index_month"]
    assert spark.participants[columns].to_dict("records") == (
        duck.participants[columns].to_dict("records")
    )
    _close(
        spark.participants[list(duck.covariates)].to_numpy(),
        duck.participants[list(duck.covariates)].to_numpy(),
        EXACT,
        "participants",
    )
    columns = ["person_id", "index_month", "set_id", "treated"]
    assert spark.units[columns].to_dict("records") == duck.units[columns].to_dict("records")


def test_propensity_and_balance(runs: Runs) -> None:
    duck, spark = runs.duckdb.design, runs.spark.design
    assert spark.covariates == duck.covariates
    assert spark.sample_weight == pytest.approx(duck.sample_weight, rel=EXACT)
    assert spark.model.auc == pytest.approx(duck.model.auc, rel=EXACT)
    assert spark.caliper == pytest.approx(duck.caliper, rel=EXACT)
    _close(spark.model, duck.model, EXACT, "model")
    _close(spark.equipoise_population, duck.equipoise_population, EXACT, "equipoise")
    _close(spark.overlap, duck.overlap, EXACT, "overlap")
    _close(spark.preference, duck.preference, EXACT, "preference")
    _close(spark.balance, duck.balance, EXACT, "balance")


def _windows(effect: Any) -> dict[tuple[int, int], tuple[float, float, float]]:
    windows: dict[tuple[int, int], Estimate] = effect.did.windows
    return {w: (e.value, e.ci_low, e.ci_high) for w, e in windows.items()}


def test_estimates(runs: Runs) -> None:
    duck, spark = runs.duckdb, runs.spark
    for group in ("effects", "negative_controls"):
        on_duck, on_spark = getattr(duck, group), getattr(spark, group)
        assert list(on_spark) == list(on_duck)
        for metric in on_duck:
            # the windows' att and interval first, for a readable failure
            _close(_windows(on_spark[metric]), _windows(on_duck[metric]), REL, metric)
            _close(on_spark[metric], on_duck[metric], REL, metric)
    _close(spark.event_study, duck.event_study, REL, "event_study")
    _close(spark.subgroups, duck.subgroups, REL, "subgroups")
    _close(spark.measures, duck.measures, REL, "measures")
    _close(spark.gates, duck.gates, REL, "gates")
    assert spark.withheld == duck.withheld
