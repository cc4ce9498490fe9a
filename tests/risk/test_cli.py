"""``broen risk fit``, ``broen risk score`` and ``broen timeline`` through click's runner."""

from __future__ import annotations

import csv
import json
import pickle
import re
from datetime import date
from hashlib import sha256
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from broen.analytics import connect
from broen.analytics._cpr import is_cpr_shaped
from broen.analytics.risk import _workflow
from broen.cli import cli
from tests.analytics.test_cpr import make_cpr
from tests.risk.conftest import HAND_PERSON, build_panel

EXTERNAL = re.compile(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", re.IGNORECASE)


@pytest.fixture(scope="module")
def fitted_dir(synth_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("risk-out")
    result = CliRunner().invoke(
        cli, ["risk", "fit", "--warehouse", str(synth_warehouse), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "AUC" in result.output and "baseline" in result.output
    assert "top 5%" in result.output
    return out


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_fit_writes_report_metrics_and_model(fitted_dir: Path) -> None:
    names = {p.name for p in fitted_dir.iterdir()}
    assert {
        "risk-acute_admission.html",
        "risk-acute_admission.png",
        "risk-acute_admission.json",
        "model-acute_admission.skops",
    } <= names
    page = (fitted_dir / "risk-acute_admission.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in page
    assert not EXTERNAL.search(page)
    metrics = json.loads((fitted_dir / "risk-acute_admission.json").read_text(encoding="utf-8"))
    assert set(metrics["metrics"]["capture"]) == {"1%", "5%", "10%"}
    assert metrics["baseline"]["ranking"] == "cost_total_12m"
    assert 0.5 < metrics["metrics"]["auc"] <= 1


def test_score_writes_a_pseudonymised_outreach_list(
    synth_warehouse: Path, fitted_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "list.csv"
    result = CliRunner().invoke(
        cli,
        [
            "risk", "score", "--warehouse", str(synth_warehouse), "--month", "2021-12",
            "--model-file", str(fitted_dir / "model-acute_admission.skops"),
            "--top", "25", "--out", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = _read(out)
    assert len(rows) == 25
    assert list(rows[0]) == ["person_id", "rank", "risk", "reason_1", "reason_2", "reason_3"]
    assert [int(r["rank"]) for r in rows] == list(range(1, 26))
    risks = [float(r["risk"]) for r in rows]
    assert risks == sorted(risks, reverse=True)
    assert not any(is_cpr_shaped(r["person_id"]) for r in rows)
    assert all(r["reason_1"] for r in rows)


def test_score_respects_the_cohort(synth_warehouse: Path, fitted_dir: Path, tmp_path: Path) -> None:
    with connect(synth_warehouse) as con:
        members = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT person_id FROM panel WHERE month = DATE '2021-12-01' "
                "AND age >= 18 ORDER BY person_id LIMIT 30"
            ).fetchall()
        ]
        con.execute("DELETE FROM cohort_members WHERE cohort = 'risk-test'")
        con.executemany(
            "INSERT INTO cohort_members VALUES ('risk-test', ?, DATE '2020-01-01')",
            [[m] for m in members],
        )
    out = tmp_path / "cohort.csv"
    args = ["risk", "score", "--warehouse", str(synth_warehouse), "--month", "2021-12"]
    args += ["--model-file", str(fitted_dir / "model-acute_admission.skops"), "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "--cohort", "risk-test"])
    assert result.exit_code == 0, result.output
    rows = _read(out)
    assert len(rows) == 30
    assert {r["person_id"] for r in rows} == set(members)
    missing = CliRunner().invoke(cli, [*args, "--cohort", "no-such-cohort"])
    assert missing.exit_code == 1
    assert "There is no cohort 'no-such-cohort'" in missing.output
    assert "risk-test" in missing.output


def test_score_refuses_cpr_shaped_ids(
    synth_warehouse: Path, fitted_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = _workflow.load_features

    def with_cprs(*args: object, **kwargs: object) -> pd.DataFrame:
        frame = real(*args, **kwargs)  # type: ignore[arg-type]
        return frame.assign(person_id=[f"0101{i % 100:02d}-{i:04d}" for i in range(len(frame))])

    monkeypatch.setattr(_workflow, "load_features", with_cprs)
    out = tmp_path / "never.csv"
    result = CliRunner().invoke(
        cli,
        [
            "risk", "score", "--warehouse", str(synth_warehouse), "--month", "2021-12",
            "--model-file", str(fitted_dir / "model-acute_admission.skops"), "--out", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "CPR" in result.output
    assert not out.exists()


def test_score_without_a_model_or_outside_the_panel(
    synth_warehouse: Path, fitted_dir: Path, tmp_path: Path
) -> None:
    base = ["risk", "score", "--warehouse", str(synth_warehouse)]
    no_model = CliRunner().invoke(
        cli, [*base, "--month", "2021-12", "--model-file", str(tmp_path / "none.skops")]
    )
    assert no_model.exit_code == 1 and "risk fit" in no_model.output
    model = ["--model-file", str(fitted_dir / "model-acute_admission.skops")]
    early = CliRunner().invoke(cli, [*base, "--month", "2016-06", *model])
    assert early.exit_code == 1 and "24 months of history" in early.output
    bad = CliRunner().invoke(cli, [*base, "--month", "2021-13", *model])
    assert bad.exit_code == 2


def test_timeline_command(hand_warehouse: Path, tmp_path: Path) -> None:
    build_panel(hand_warehouse)
    out = tmp_path / "peter.html"
    result = CliRunner().invoke(
        cli,
        [
            "timeline", HAND_PERSON, "--warehouse", str(hand_warehouse), "--out", str(out),
            "--from", "2020-01", "--to", "2020-04",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2020-01" in result.output and "2020-04" in result.output
    assert "2019-12" not in result.output and "2020-05" not in result.output
    assert f"Timeline: {out}" in result.output
    page = out.read_text(encoding="utf-8")
    assert "<svg" in page and not EXTERNAL.search(page)


def test_timeline_command_refuses_cpr(hand_warehouse: Path) -> None:
    result = CliRunner().invoke(
        cli, ["timeline", make_cpr(date(1961, 3, 2), 17, "F"), "--warehouse", str(hand_warehouse)]
    )
    assert result.exit_code == 1
    assert "CPR" in result.output


def test_score_refuses_an_old_pickle_model(
    synth_warehouse: Path, fitted_dir: Path, tmp_path: Path
) -> None:
    old = tmp_path / "model-acute_admission.pkl"
    old.write_bytes(pickle.dumps({"format": 2, "model": None}))
    base = ["risk", "score", "--warehouse", str(synth_warehouse), "--month", "2021-12"]
    result = CliRunner().invoke(cli, [*base, "--model-file", str(old)])
    assert result.exit_code == 1
    assert result.output.count("Error:") == 1
    assert "earlier Broen" in result.output and "run 'broen risk fit' again" in result.output
    out = tmp_path / "ok.csv"
    model = str(fitted_dir / "model-acute_admission.skops")
    good = CliRunner().invoke(cli, [*base, "--model-file", model, "--out", str(out)])
    assert good.exit_code == 0, good.output


def test_timeline_from_after_to_is_a_usage_error(hand_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "never.html"
    result = CliRunner().invoke(
        cli,
        ["timeline", HAND_PERSON, "--warehouse", str(hand_warehouse), "--out", str(out),
         "--from", "2020-05", "--to", "2020-04"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "The first month 2020-05 is after the last month 2020-04: swap --from and --to." in (
        result.output
    )
    assert not out.exists()
    same = CliRunner().invoke(
        cli,
        ["timeline", HAND_PERSON, "--warehouse", str(hand_warehouse), "--out", str(out),
         "--from", "2020-04", "--to", "2020-04"],
    )  # fmt: skip
    assert same.exit_code == 0, same.output


def test_timeline_default_path_stays_in_its_folder(
    hand_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile = "../../../escaped"
    with connect(hand_warehouse) as con:
        con.execute(
            "INSERT INTO persons SELECT * REPLACE (? AS person_id) FROM persons "
            "WHERE person_id = 'p-hand-0002'",
            [hostile],
        )
    work = tmp_path / "a" / "b" / "c"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    result = CliRunner().invoke(cli, ["timeline", hostile, "--warehouse", str(hand_warehouse)])
    assert result.exit_code == 0, result.output
    # "../../../escaped" is not a plain name: its safe characters and a hash of the whole id
    name = "escaped~" + sha256(hostile.encode()).hexdigest()[:32] + ".html"
    expected = work / "broen-data" / "timeline" / name
    assert expected.is_file()
    assert list(tmp_path.rglob("escaped*")) == [expected]  # nothing at a/b/escaped.html
    assert f"Timeline: {Path('broen-data', 'timeline', name)}" in result.output
