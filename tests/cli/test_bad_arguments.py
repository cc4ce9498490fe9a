"""Every command with bad arguments ends in one sentence and the exit code docs/cli.md gives,
never in a traceback, and changes none of the files it was pointed at.

The commands are found by walking the click group, so a command added without cases here fails
``test_every_command_has_bad_argument_cases``. A few runs go through the installed ``broen``
script in a subprocess, since CliRunner catches exceptions that a real run would print.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from broen.analytics import import_extract
from broen.analytics.panel import build_panel
from broen.analytics.risk import fit_risk
from broen.analytics.synth import generate_extract
from broen.cli import cli

USAGE, USER = 2, 1  # docs/cli.md, "Exit codes"
REPORT_NOT_WRITTEN = 4


@dataclass(frozen=True)
class World:
    """Files the cases point at; no case may change them."""

    root: Path
    file: Path  # a plain file, where a folder or a warehouse is expected
    folder: Path  # a folder with someone's notes in it
    empty: Path  # an empty folder
    bad_yaml: Path
    extract: Path  # a small synthetic extract
    warehouse: Path  # that extract imported, with the panel built
    model: Path  # a risk model fitted on it
    key: Path  # a pseudonymisation key
    bad_contract: Path  # an outcome contract with two errors


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("world")
    (root / "notes.txt").write_text("not a warehouse\n")
    (root / "folder").mkdir()
    (root / "folder" / "notes.txt").write_text("mine\n")
    (root / "empty").mkdir()
    (root / "bad.yaml").write_text("payers: [\n")
    (root / "key").write_text("ab" * 32 + "\n")
    (root / "contract.yaml").write_text("format: broen-outcome-contract/1\nid: x\ntitle: 3\n")
    extract = root / "extract"
    generate_extract(extract, persons=300, start="2016-01", end="2021-12", seed=5)
    warehouse = root / "warehouse.duckdb"
    import_extract(extract, warehouse=warehouse)
    build_panel(warehouse)
    fitted = fit_risk(warehouse, out_dir=root / "risk", random_state=0)
    return World(
        root,
        root / "notes.txt",
        root / "folder",
        root / "empty",
        root / "bad.yaml",
        extract,
        warehouse,
        fitted.model_path,
        root / "key",
        root / "contract.yaml",
    )


@dataclass(frozen=True)
class Case:
    command: tuple[str, ...]
    args: tuple[str, ...]  # {tmp} is the test's own folder; other names are World's fields
    code: int
    says: str  # a piece of the message, so that the case fails for the reason it is meant to

    def argv(self, world: World, tmp: Path) -> list[str]:
        fields = {name: str(value) for name, value in vars(world).items()}
        return [*self.command, *(a.format(tmp=tmp, **fields) for a in self.args)]

    def __str__(self) -> str:
        return " ".join([*self.command, *self.args])


def case(command: str, *args: str, code: int, says: str) -> Case:
    return Case(tuple(command.split()), args, code, says)


WH = ("--warehouse", "{warehouse}")
NO_WH = ("--warehouse", "{tmp}/none.duckdb")
SMALL = ("--persons", "10")


def EST(table: str) -> tuple[str, ...]:  # a constant-like helper, as WH
    return ("--table", table, "--treatment", "t", "--outcome", "y", "--covariates", "x")


def EV(programme: str) -> tuple[str, ...]:  # broen evaluate with a folder of its own
    return ("--programme", programme, "--out", "{tmp}/evaluation")


def ELIB(period: str) -> tuple[str, ...]:  # broen settle of the shipped example
    return ("et-liv-i-balance", "--period", period, "--out", "{tmp}/settlement")


DRY = ("et-liv-i-balance", "--out", "{tmp}/dryrun")


CASES: list[Case] = [
    case("", "nope", code=USAGE, says="No such command 'nope'"),
    case("import", code=USAGE, says="Missing argument 'SOURCE_DIR'"),
    case("import", "{file}", code=USAGE, says="is a file"),
    case("import", "{tmp}/nowhere", *NO_WH, code=USER, says="is not a directory"),
    case("import", "{empty}", *NO_WH, code=USER, says="has no persons table"),
    case("import", "{extract}", "--warehouse", "{folder}", code=USAGE, says="is a directory"),
    case("import", "{extract}", "--warehouse", "{file}", code=USER, says="DuckDB"),
    case("import", "{extract}", "--warehouse", "{file}/w.duckdb", code=USER, says="Cannot use"),
    case("import", "{extract}", *NO_WH, "--encoding", "nope", code=USER, says="encoding"),
    case("import", "{extract}", *NO_WH, "--decimal", "x", code=USER, says="decimal mark"),
    case("import", "{extract}", *NO_WH, "--report", "{folder}", code=USAGE, says="directory"),
    case(
        "import",
        "{extract}",
        *NO_WH,
        "--report",
        "{file}/report.json",
        code=REPORT_NOT_WRITTEN,
        says="committed, but the report could not be written",
    ),
    case("warehouse", "nope", code=USAGE, says="No such command"),
    case("warehouse info", *NO_WH, code=USER, says="There is no warehouse"),
    case("warehouse info", "--warehouse", "{folder}", code=USAGE, says="is a directory"),
    case("warehouse info", "--warehouse", "{file}", code=USER, says="DuckDB"),
    case("warehouse quarantine", *NO_WH, code=USER, says="There is no warehouse"),
    case("warehouse quarantine", *WH, "--limit", "0", code=USAGE, says="x>=1"),
    case("warehouse quarantine", *WH, "--limit", "many", code=USAGE, says="'many'"),
    case("warehouse quarantine", *WH, "--table", "nope", code=USAGE, says="'--table'"),
    case("warehouse quarantine", *WH, "--rule", "date.late", code=USAGE, says="'--rule'"),
    case("synth", code=USAGE, says="Missing option '--out'"),
    case("synth", "--out", "{file}", code=USAGE, says="is a file"),
    case("synth", "--out", "{file}/x", *SMALL, code=USER, says="Not a directory"),
    case("synth", "--out", "{folder}", *SMALL, code=USER, says="is not empty"),
    case("synth", "--out", "{extract}", *SMALL, code=USER, says="use --force"),
    case(
        "synth",
        *("--out", "{tmp}/x", *SMALL, "--start", "2020-05", "--end", "2020-01"),
        code=USER,
        says="The start month 2020-05 is after the end month 2020-01",
    ),
    case("synth", "--out", "{tmp}/x", "--start", "2020-13", code=USAGE, says="'--start'"),
    case("synth", "--out", "{tmp}/x", "--end", "2020-1", code=USAGE, says="'--end'"),
    case("synth", "--out", "{tmp}/x", *SMALL, "--end", "2999-12", code=USER, says="before today"),
    case(
        "synth",
        *("--out", "{tmp}/x", *SMALL, "--municipalities", "999"),
        code=USER,
        says="999 is not a DST municipality code",
    ),
    case(
        "synth",
        *("--out", "{tmp}/x", "--municipalities", "360,101"),
        code=USER,
        says="No population figure for municipality 101 (København): give --persons.",
    ),
    case("synth", "--out", "{tmp}/x", "--municipalities", "Lolland", code=USAGE, says="codes"),
    case("synth", "--out", "{tmp}/x", "--municipalities", ",", code=USAGE, says="at least one"),
    case("synth", "--out", "{tmp}/x", "--persons", "0", code=USAGE, says="x>=1"),
    case("synth", "--out", "{tmp}/x", "--seed", "-1", code=USAGE, says="x>=0"),
    case("synth", "--out", "{tmp}/x", "--format", "xlsx", code=USAGE, says="'xlsx'"),
    case("keygen", code=USAGE, says="Missing argument 'KEY_FILE'"),
    case("keygen", "{folder}", code=USAGE, says="is a directory"),
    case("keygen", "{key}", code=USER, says="already exists"),
    case("keygen", "{file}/key", code=USER, says="Not a directory"),
    case("keygen", "{tmp}/no/such/folder/key", code=USER, says="No such file"),
    case("pseudonymise", code=USAGE, says="Missing argument 'SOURCE_DIR'"),
    case("pseudonymise", "{extract}", "{tmp}/out", code=USAGE, says="'--key-file'"),
    case("pseudonymise", "{file}", "{tmp}/out", "--key-file", "{key}", code=USAGE, says="file"),
    case(
        "pseudonymise",
        *("{tmp}/nowhere", "{tmp}/out", "--key-file", "{key}"),
        code=USER,
        says="is not a directory",
    ),
    case(
        "pseudonymise",
        *("{extract}", "{tmp}/out", "--key-file", "{tmp}/no.key"),
        code=USER,
        says="There is no key file",
    ),
    case(
        "pseudonymise",
        *("{extract}", "{tmp}/out", "--key-file", "{file}"),
        code=USER,
        says="key file",
    ),
    case(
        "pseudonymise",
        *("{extract}", "{folder}", "--key-file", "{key}"),
        code=USER,
        says="not an empty directory",
    ),
    case(
        "pseudonymise",
        *("{extract}", "{extract}/copy", "--key-file", "{key}"),
        code=USER,
        says="inside the extract directory",
    ),
    case(
        "pseudonymise",
        *("{extract}", "{tmp}/out", "--key-file", "{key}", "--encoding", "latin-9"),
        code=USER,
        says="Unknown encoding",
    ),
    case("cohort", "nope", code=USAGE, says="No such command"),
    case("cohort build", code=USAGE, says="Missing argument 'DEFINITION'"),
    case("cohort build", "nope", *WH, code=USER, says="no shipped definition"),
    case("cohort build", "type-2-diabetes", *NO_WH, code=USER, says="There is no warehouse"),
    case(
        "cohort build",
        *("type-2-diabetes", *WH, "--programme", "x", "--programme-date", "end"),
        code=USAGE,
        says="'--programme-date'",
    ),
    case("cohort check", code=USAGE, says="Missing argument 'DEFINITION'"),
    case("cohort check", "nope", code=USER, says="no shipped definition"),
    case("cohort check", "{bad_yaml}", code=USER, says="not valid YAML"),
    case("cohort check", "{file}", code=USER, says="expected a mapping"),
    case("cohort list", *NO_WH, code=USER, says="There is no warehouse"),
    case("cohort list", "--warehouse", "{file}", code=USER, says="DuckDB"),
    case("panel", "nope", code=USAGE, says="No such command"),
    case("panel build", *NO_WH, code=USER, says="There is no warehouse"),
    case("panel build", *WH, "--engine", "pandas", code=USAGE, says="'--engine'"),
    case("panel build", *WH, "--payers", "{tmp}/payers.yaml", code=USAGE, says="does not exist"),
    case("panel build", *WH, "--payers", "{bad_yaml}", "--full", code=USER, says="YAML"),
    case("risk", "nope", code=USAGE, says="No such command"),
    case("risk fit", *NO_WH, code=USER, says="There is no warehouse"),
    case("risk fit", *WH, "--test-from", "2020-13", code=USAGE, says="'--test-from'"),
    case("risk fit", *WH, "--model", "forest", code=USAGE, says="'--model'"),
    case("risk fit", *WH, "--target", "cost", code=USAGE, says="'--target'"),
    case("risk fit", *WH, "--out", "{file}", code=USAGE, says="is a file"),
    case("risk fit", *WH, "--random-state", "x", code=USAGE, says="'--random-state'"),
    case("risk fit", *WH, "--test-from", "2030-01", "--out", "{tmp}/r", code=USER, says="split"),
    case("risk fit", *WH, "--out", "{file}/risk", code=USER, says="Not a directory"),
    case("risk score", *WH, code=USAGE, says="Missing option '--month'"),
    case("risk score", *WH, "--month", "2021-6", code=USAGE, says="'--month'"),
    case("risk score", *WH, "--month", "2021-06", "--top", "0", code=USAGE, says="x>=1"),
    case("risk score", *WH, "--month", "2021-06", "--lang", "de", code=USAGE, says="'--lang'"),
    case("risk fit", *WH, "--lang", "de", code=USAGE, says="'--lang'"),
    case("estimate", code=USAGE, says="Missing option '--table'"),
    case("estimate", *EST("{tmp}/none.csv"), code=USAGE, says="does not exist"),
    case("estimate", *EST("{file}"), code=USER, says="no column"),
    case("estimate", *EST("{folder}"), code=USER, says="Parquet"),
    case("estimate", *EST("{file}"), "--ratio", "0", code=USAGE, says="'--ratio'"),
    case("estimate", *EST("{file}"), "--caliper", "0", code=USAGE, says="'--caliper'"),
    case("estimate", *EST("{file}"), "--adjust", "maybe", code=USAGE, says="'--adjust'"),
    case(
        "estimate",
        "--table",
        "{file}",
        "--treatment",
        "t",
        "--outcome",
        "y",
        "--covariates",
        ",",
        code=USAGE,
        says="'--covariates'",
    ),
    case(
        "risk score",
        *(*WH, "--month", "2021-06", "--model-file", "{tmp}/none.skops"),
        code=USER,
        says="There is no fitted model",
    ),
    case(
        "risk score",
        *(*WH, "--month", "2021-06", "--model-file", "{file}"),
        code=USER,
        says="is not a Broen model file",
    ),
    case(
        "risk score",
        *(*WH, "--month", "2021-06", "--model-file", "{folder}"),
        code=USAGE,
        says="is a directory",
    ),
    case(
        "risk score",
        *(*WH, "--month", "2030-06", "--model-file", "{model}", "--out", "{tmp}/o.csv"),
        code=USER,
        says="Cannot score at 2030-06",
    ),
    case(
        "risk score",
        *(*WH, "--month", "2021-06", "--model-file", "{model}", "--out", "{file}/o.csv"),
        code=USER,
        says="Cannot use",
    ),
    case(
        "risk score",
        *(*WH, "--month", "2021-06", "--model-file", "{model}", "--cohort", "nope"),
        code=USER,
        says="There is no cohort 'nope'",
    ),
    case("timeline", code=USAGE, says="Missing argument 'PERSON_ID'"),
    case("timeline", "p00000001", *NO_WH, code=USER, says="There is no warehouse"),
    case("timeline", "nobody", *WH, code=USER, says="There is no person 'nobody'"),
    case(
        "timeline",
        *("p00000001", *WH, "--from", "2020-05", "--to", "2020-01"),
        code=USAGE,
        says="swap --from and --to",
    ),
    case("timeline", "p00000001", *WH, "--from", "May", code=USAGE, says="'--from'"),
    case("timeline", "p00000001", *WH, "--out", "{folder}", code=USAGE, says="is a directory"),
    case("timeline", "p00000001", *WH, "--out", "{file}/t.html", code=USER, says="Cannot use"),
    case("evaluate", code=USAGE, says="Missing option '--programme'"),
    case("evaluate", "--programme", "x", *WH, code=USAGE, says="Missing option '--out'"),
    case("evaluate", *EV("nope"), *WH, code=USER, says="No episodes of programme 'nope'"),
    case("evaluate", *EV("x"), *NO_WH, code=USER, says="There is no warehouse"),
    case("evaluate", *EV("x"), *WH, "--config", "{tmp}/none.yaml", code=USAGE, says="not exist"),
    case("evaluate", *EV("x"), *WH, "--config", "{folder}", code=USAGE, says="is a directory"),
    case("evaluate", *EV("x"), *WH, "--config", "{bad_yaml}", code=USER, says="not valid YAML"),
    case("evaluate", *EV("x"), *WH, "--config", "{file}", code=USER, says="expected a mapping"),
    case("evaluate", *EV("x"), *WH, "--engine", "foo", code=USAGE, says="'--engine'"),
    case("evaluate", *EV("x"), *WH, "--index", "foo", code=USAGE, says="'--index'"),
    case("evaluate", *EV("x"), *WH, "--index", "start_date", code=USAGE, says="'--index'"),
    case("evaluate", *EV("x"), *WH, "--lang", "de", code=USAGE, says="'--lang'"),
    case("evaluate", "--programme", "x", *WH, "--out", "{file}", code=USAGE, says="is a file"),
    case(
        "evaluate",
        *("--programme", "x", *WH, "--out", "{file}/effects"),
        code=USER,
        says="Not a directory",
    ),
    case("settle", code=USAGE, says="Missing argument 'CONTRACT'"),
    case("settle", "et-liv-i-balance", code=USAGE, says="Missing option '--period'"),
    case("settle", *ELIB("year-9"), *WH, code=USER, says="unknown period 'year-9'"),
    case("settle", *ELIB("year-1"), *NO_WH, code=USER, says="There is no warehouse"),
    case("settle", *ELIB("year-1"), "--out", "{file}", code=USAGE, says="is a file"),
    case(
        "settle", *ELIB("year-1"), "--terminated-on", "soon", code=USAGE, says="'--terminated-on'"
    ),
    case(
        "settle",
        *(*ELIB("year-1"), *WH, "--terminated-on", "2019-01-01"),
        code=USER,
        says="no cohort of period 'year-1' completed",
    ),
    case(
        "settle",
        "{bad_yaml}",
        "--period",
        "x",
        "--out",
        "{tmp}/s",
        code=USER,
        says="not valid YAML",
    ),
    case(
        "settle",
        "{file}",
        "--period",
        "x",
        "--out",
        "{tmp}/s",
        code=USER,
        says="expected a mapping",
    ),
    case("settle", *ELIB("year-1"), *WH, "--engine", "foo", code=USAGE, says="'--engine'"),
    case("contract", "nope", code=USAGE, says="No such command 'nope'"),
    case("contract validate", code=USAGE, says="Missing argument 'CONTRACT'"),
    case("contract validate", "{tmp}/none.yaml", code=USER, says="Cannot read the contract"),
    case("contract validate", "{bad_yaml}", code=USER, says="not valid YAML"),
    case("contract validate", "{file}", code=USER, says="expected a mapping"),
    case("contract validate", "{bad_contract}", code=USER, says="has 9 errors, listed above"),
    case("contract schema", "extra", code=USAGE, says="unexpected extra argument"),
    case("contract simulate", code=USAGE, says="Missing argument 'CONTRACT'"),
    case("contract simulate", "et-liv-i-balance", *WH, code=USAGE, says="Missing option '--out'"),
    case("contract simulate", *DRY, *NO_WH, code=USER, says="There is no warehouse"),
    case("contract simulate", *DRY, *WH, "--draws", "5", code=USAGE, says="'--draws'"),
    case("contract simulate", *DRY, *WH, "--effects", "x", code=USAGE, says="expected numbers"),
    case(
        "contract simulate",
        *(*DRY, *WH, "--recruitment", "1.5"),
        code=USER,
        says="recruitment shares must lie in (0, 1]",
    ),
    case("contract indigo", code=USAGE, says="Missing argument 'CONTRACT'"),
    case("contract indigo", "et-liv-i-balance", code=USAGE, says="Missing option '--out'"),
    case("contract indigo", "et-liv-i-balance", "--out", "{folder}", code=USAGE, says="directory"),
    case("contract indigo", "nope", "--out", "{tmp}/i.json", code=USER, says="Cannot read"),
    case("demo", "--workdir", "{file}", code=USAGE, says="is a file"),
    case("demo", "--workdir", "{folder}", code=USER, says="does not hold an earlier demo run"),
    case("demo", "--workdir", "{extract}", code=USER, says="does not hold an earlier demo run"),
    case("demo", "--persons", "99", code=USAGE, says="x>=100"),
    case("demo", "--seed", "-1", code=USAGE, says="x>=0"),
]


def _all_cases() -> list[Case]:
    return [c if isinstance(c, Case) else c.values[0] for c in CASES]  # type: ignore[misc]


def walk(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every group and command under ``group``, as the words that name it."""
    found = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += walk(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


def _sentences(message: str) -> int:
    return len(re.split(r"(?<=[.!?])\s+(?=[A-Z])", message.strip()))


def assert_one_sentence(stderr: str, code: int) -> None:
    """Exit 2: click's usage lines, then one error line. Otherwise: only the message line."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    if code == USAGE:
        assert all(line.startswith(("Usage: ", "Try ")) for line in lines[:-1]), lines
    else:
        assert len(lines) == 1, lines
    message = lines[-1]
    if code in (USAGE, USER):
        assert message.startswith("Error: "), message
    assert _sentences(message.removeprefix("Error: ")) == 1, message


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file()
    }


def test_a_group_without_a_command_shows_its_help() -> None:
    for group in (words for words in walk(cli) if isinstance(_command(words), click.Group)):
        result = CliRunner().invoke(cli, list(group), env={"COLUMNS": "200"})
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert result.exit_code == USAGE, group
        assert "Commands:" in result.output


def _command(words: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for word in words:
        assert isinstance(command, click.Group)
        command = command.commands[word]
    return command


def test_every_command_has_bad_argument_cases() -> None:
    found = set(walk(cli))
    assert {("synth",), ("warehouse", "info"), ("cohort", "build"), ("risk", "score")} <= found
    assert len(found) >= 18  # the root, 4 groups and 13 commands when this test was written
    covered = {c.command for c in _all_cases()} | {("",)}
    missing = sorted(" ".join(f) for f in found - {()} - covered)
    assert not missing, f"add bad-argument cases for: {missing}"
    assert not {c for c in covered if c != ("",)} - found, "cases for commands that are gone"


@pytest.mark.parametrize("bad", CASES, ids=str)
def test_bad_arguments_end_in_one_sentence(bad: Case, world: World, tmp_path: Path) -> None:
    argv = [a for a in bad.argv(world, tmp_path) if a]
    before = _snapshot(world.root)
    result = CliRunner().invoke(cli, argv, env={"COLUMNS": "200", "BROEN_TRACEBACK": None})
    shown = result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), shown
    assert "Traceback" not in shown
    assert result.exit_code == bad.code, shown
    assert bad.says in result.stderr, result.stderr
    assert_one_sentence(result.stderr, bad.code)
    assert _snapshot(world.root) == before, "a command that failed changed a file"


def _broen(*args: str, cwd: Path, debug: bool = False) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("BROEN_TRACEBACK", None)
    if debug:
        env["BROEN_TRACEBACK"] = "1"
    script = Path(sys.executable).with_name("broen")
    return subprocess.run(
        [str(script), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


REAL_RUNS = [
    ("synth --out x --persons 10 --start 2020-05 --end 2020-01", USER, "is after the end"),
    ("synth --out x --persons 10 --municipalities 999", USER, "not a DST municipality code"),
    ("synth --out mine --persons 10", USER, "is not empty"),
    ("keygen mine/notes.txt/key", USER, "Not a directory"),
    ("warehouse info --warehouse mine", USAGE, "is a directory"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("command", "code", "says"), REAL_RUNS)
def test_a_real_run_ends_in_one_sentence(
    tmp_path: Path, command: str, code: int, says: str
) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine\n")
    run = _broen(*command.split(), cwd=tmp_path)
    assert "Traceback" not in run.stdout + run.stderr
    assert run.returncode == code, run.stderr
    assert says in run.stderr
    assert_one_sentence(run.stderr, code)
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.txt"]


@pytest.mark.slow
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_full_disk_is_one_sentence(world: World, tmp_path: Path) -> None:
    run = _broen("timeline", "p00000001", "--warehouse", str(world.warehouse), "--out",
                 "/dev/full", cwd=tmp_path)  # fmt: skip
    assert "Traceback" not in run.stdout + run.stderr
    assert run.returncode == USER
    assert "No space left on device" in run.stderr
    assert_one_sentence(run.stderr, USER)


@pytest.mark.slow
def test_broen_debug_shows_the_traceback(tmp_path: Path) -> None:
    run = _broen("synth", "--out", "x", "--municipalities", "999", cwd=tmp_path, debug=True)
    assert run.returncode == 1
    assert "Traceback" in run.stderr and "ConfigurationError" in run.stderr


def test_synth_refuses_a_folder_with_files_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "extract"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n")
    args = ["synth", "--out", str(out), "--persons", "30", "--start", "2019-01", "--end", "2019-03"]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == USER
    assert "is not empty" in refused.stderr and "--force" in refused.stderr
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    forced = CliRunner().invoke(cli, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert (out / "notes.txt").read_text() == "mine\n"
    assert (out / "extract.json").is_file() and (out / "persons").is_dir()
    again = CliRunner().invoke(cli, [*args, "--force", "--format", "csv"])
    assert again.exit_code == 0, again.output
    assert (out / "persons.csv").is_file() and not (out / "persons").exists()
    assert (out / "notes.txt").read_text() == "mine\n"
