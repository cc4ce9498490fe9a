"""Pseudonymising an extract. CPR numbers are made at run time (see test_cpr), keys too."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import random
import secrets
import stat
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from broen.analytics import (
    ConfigurationError,
    ExtractError,
    KeyFileError,
    PseudonymisationReport,
    generate_key,
    load_key,
    pseudonymise_extract,
)
from tests.analytics.test_cpr import WEIGHTS, make_cpr, random_cprs, raw_cpr

PERSONS_HEADER = "person_id,birth_date,sex,municipality"


def expected(key: bytes, normalised: str) -> str:
    """The documented derivation written out again: pins it, so a key keeps linking."""
    mac = hmac.new(key, b"broen/person_id/v1\x00" + normalised.encode(), hashlib.sha256)
    return "p" + mac.hexdigest()[:20]


def digits(cpr: str) -> str:
    return cpr.replace("-", "")


def passes_mod11(cpr: str) -> bool:
    return sum(w * int(d) for w, d in zip(WEIGHTS, digits(cpr), strict=True)) % 11 == 0


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def read_csv(path: Path, encoding: str = "utf-8", sep: str = ",") -> list[dict[str, str]]:
    text = path.read_bytes().decode(encoding).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=sep))


def persons_csv(root: Path, ids: list[str]) -> Path:
    rows = [f"{pid},1960-01-01,F,360" for pid in ids]
    return write(root / "persons.csv", "\n".join([PERSONS_HEADER, *rows]) + "\n")


def all_output_bytes(root: Path) -> list[tuple[Path, bytes]]:
    return [(p, p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()]


@pytest.fixture
def key() -> bytes:
    return secrets.token_bytes(32)


@pytest.fixture
def cprs() -> list[str]:
    return random_cprs(random.Random(11), 8)


def basic_extract(root: Path, cprs: list[str]) -> Path:
    """persons with hyphenated CPR numbers, primary_care with the same numbers without."""
    persons_csv(root, cprs)
    care = ["person_id,date,provider,fee_dkk"]
    care += [f"{digits(c)},2023-01-0{i % 9 + 1},gp,155.20" for i, c in enumerate(cprs)]
    write(root / "primary_care.csv", "\n".join(care) + "\n")
    write(root / "extract.json", '{"period_start": "2023-01-01", "period_end": "2023-12-31"}')
    return root


# --- linkage -----------------------------------------------------------------------------------


def test_hyphen_and_no_hyphen_link_to_the_same_pseudonym(
    tmp_path: Path, key: bytes, cprs: list[str]
) -> None:
    src = basic_extract(tmp_path / "src", cprs)
    report = pseudonymise_extract(src, tmp_path / "out", key=key)
    persons = [r["person_id"] for r in read_csv(tmp_path / "out" / "persons.csv")]
    care = [r["person_id"] for r in read_csv(tmp_path / "out" / "primary_care.csv")]
    assert persons == care == [expected(key, digits(c)) for c in cprs]
    assert report.distinct_persons == len(cprs)
    assert [f.distinct_persons for f in report.files] == [len(cprs), len(cprs)]
    assert [f.identifiers_replaced for f in report.files] == [len(cprs), len(cprs)]
    assert all(len(p) == 21 and p.startswith("p") for p in persons)


def test_same_key_gives_the_same_pseudonyms_in_another_run_and_extract(
    tmp_path: Path, key: bytes, cprs: list[str]
) -> None:
    src = basic_extract(tmp_path / "src", cprs)
    first = pseudonymise_extract(src, tmp_path / "out1", key=key)
    second = pseudonymise_extract(src, tmp_path / "out2", key=key)
    assert all_output_bytes(tmp_path / "out1") != []
    assert [b for _, b in all_output_bytes(tmp_path / "out1")] == [
        b for _, b in all_output_bytes(tmp_path / "out2")
    ]
    assert first.key_fingerprint == second.key_fingerprint
    # a later extract with one of the persons, written without hyphen and with spaces around
    later = tmp_path / "later"
    persons_csv(later, [f" {digits(cprs[3])} "])
    pseudonymise_extract(later, tmp_path / "out3", key=key)
    [row] = read_csv(tmp_path / "out3" / "persons.csv")
    assert row["person_id"] == expected(key, digits(cprs[3]))


def test_another_key_gives_other_pseudonyms(tmp_path: Path, key: bytes, cprs: list[str]) -> None:
    src = basic_extract(tmp_path / "src", cprs)
    one = pseudonymise_extract(src, tmp_path / "out1", key=key)
    other = pseudonymise_extract(src, tmp_path / "out2", key=secrets.token_bytes(32))
    a = {r["person_id"] for r in read_csv(tmp_path / "out1" / "persons.csv")}
    b = {r["person_id"] for r in read_csv(tmp_path / "out2" / "persons.csv")}
    assert len(a) == len(b) == len(cprs)
    assert not a & b
    assert one.key_fingerprint != other.key_fingerprint


def test_other_identifiers_are_pseudonymised_as_written(tmp_path: Path, key: bytes) -> None:
    persons_csv(tmp_path / "src", ["A-17", " A-17", "a-17", ""])
    report = pseudonymise_extract(tmp_path / "src", tmp_path / "out", key=key)
    ids = [r["person_id"] for r in read_csv(tmp_path / "out" / "persons.csv")]
    assert ids == [expected(key, "A-17"), expected(key, "A-17"), expected(key, "a-17"), ""]
    [f] = report.files
    assert (f.rows, f.identifiers_replaced, f.blank, f.distinct_persons) == (4, 3, 1, 2)
    assert f.cpr_shaped == 0
    assert sum(f.problems.values()) == 0


# --- keys --------------------------------------------------------------------------------------


def test_generate_and_load_key(tmp_path: Path) -> None:
    path = tmp_path / "broen.key"
    generate_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert len(text.strip()) == 64
    assert load_key(path) == bytes.fromhex(text)
    with pytest.raises(KeyFileError, match="already exists"):
        generate_key(path)
    assert path.read_text() == text


def test_missing_key_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="no key file"):
        load_key(tmp_path / "nowhere.key")
    with pytest.raises(KeyFileError):
        load_key(tmp_path)  # a directory


@pytest.mark.parametrize("n_bytes", [0, 16, 31])
def test_short_key_is_refused(tmp_path: Path, n_bytes: int) -> None:
    secret = secrets.token_bytes(n_bytes).hex()
    write(tmp_path / "short.key", secret + "\n")
    with pytest.raises(KeyFileError, match="too short") as err:
        load_key(tmp_path / "short.key")
    assert not secret or secret not in str(err.value)
    with pytest.raises(KeyFileError):
        pseudonymise_extract(tmp_path, tmp_path / "out", key=bytes.fromhex(secret))


def test_key_that_is_not_hex_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "bad.key", "z" * 64)
    with pytest.raises(KeyFileError, match="hexadecimal"):
        load_key(tmp_path / "bad.key")
    (tmp_path / "binary.key").write_bytes(secrets.token_bytes(32) + b"\xff")
    with pytest.raises(KeyFileError, match="hexadecimal"):
        load_key(tmp_path / "binary.key")


def test_key_readable_by_others_is_a_warning(tmp_path: Path, cprs: list[str]) -> None:
    path = tmp_path / "broen.key"
    generate_key(path)
    path.chmod(0o644)
    key = load_key(path)
    src = basic_extract(tmp_path / "src", cprs)
    report = pseudonymise_extract(src, tmp_path / "out", key=key, key_file=path)
    assert any("chmod 600" in w for w in report.warnings)


def test_the_key_and_the_cpr_numbers_are_in_no_output(
    tmp_path: Path, key: bytes, cprs: list[str]
) -> None:
    src = basic_extract(tmp_path / "src", cprs)
    parquet_parts(src / "hospital_contacts", cprs)
    write(src / "notes.txt", "not a table\n")
    report = pseudonymise_extract(src, tmp_path / "out", key=key)
    secrets_ = [key, key.hex().encode(), key.hex().upper().encode()]
    texts = [json.dumps(report.to_dict()).encode(), repr(report).encode()]
    texts += [w.encode() for w in report.warnings]
    texts += [b for _, b in all_output_bytes(tmp_path / "out")]
    for text in texts:
        for secret in secrets_:
            assert secret not in text
        for cpr in cprs:
            assert cpr.encode() not in text
            assert digits(cpr).encode() not in text


# --- CSV ---------------------------------------------------------------------------------------


def test_danish_dialect_round_trips_byte_for_byte(tmp_path: Path, key: bytes) -> None:
    cprs = random_cprs(random.Random(3), 3)
    persons = "person_id;birth_date;sex;municipality\r\n{};1960-01-01;F;492\r\n"
    care = (
        "person_id;date;provider;specialty;services;fee_dkk;clinic\r\n"
        "{};2023-01-05;gp;80;1;12,50;Ærø Lægehus\r\n"
        '{};2023-02-28;gp;80;2;1.234,75;"Ærø; Marstal"\r\n'
        '{};2023-03-01;other;;1;0,00;"Søndergade ""Syd"""\r\n'
    )
    src = tmp_path / "src"
    write(src / "persons.csv", persons.format(cprs[0]), "cp1252")
    write(src / "primary_care.csv", care.format(*cprs), "cp1252")
    report = pseudonymise_extract(src, tmp_path / "out", key=key)
    out = tmp_path / "out"
    assert (out / "persons.csv").read_bytes() == persons.format(
        expected(key, digits(cprs[0]))
    ).encode("cp1252")
    assert (out / "primary_care.csv").read_bytes() == care.format(
        *(expected(key, digits(c)) for c in cprs)
    ).encode("cp1252")
    assert [(f.file, f.rows, f.identifiers_replaced) for f in report.files] == [
        ("persons.csv", 1, 1),
        ("primary_care.csv", 3, 3),
    ]


def test_utf8_bom_crlf_without_final_newline_round_trips(tmp_path: Path, key: bytes) -> None:
    cpr = make_cpr(date(1949, 12, 24), 7, "M")
    body = "\ufeffperson_id,birth_date,sex,municipality,note\r\n{},1949-12-24,M,400,Ærø\r\n"
    body += '{},1949-12-24,M,400,"line one\r\nline two, ""quoted"""'
    write(tmp_path / "src" / "persons.csv", body.format(cpr, "X1"))
    pseudonymise_extract(tmp_path / "src", tmp_path / "out", key=key)
    assert (tmp_path / "out" / "persons.csv").read_bytes() == body.format(
        expected(key, digits(cpr)), expected(key, "X1")
    ).encode()


def test_cpr_problems_are_counted_with_locations_but_no_values(tmp_path: Path, key: bytes) -> None:
    good = random_cprs(random.Random(5), 30)
    bad_date = raw_cpr(30, 2, 90, "1234")
    bad_century = raw_cpr(29, 2, 0, "2468", hyphen=False)
    near_miss = "1" * 9
    ids = [*good[:10], bad_date, *good[10:20], bad_century, near_miss, "A-17", *good[20:]]
    persons_csv(tmp_path / "src", ids)
    report = pseudonymise_extract(tmp_path / "src", tmp_path / "out", key=key)
    [f] = report.files
    assert f.problems == {"format": 1, "date": 1, "century": 1}
    assert f.cpr_shaped == 32  # the valid ones and the two with a bad date
    assert f.mod11_warnings == sum(not passes_mod11(c) for c in good)
    assert f.identifiers_replaced == f.distinct_persons == len(ids)
    assert [(e.file, e.row, e.problem) for e in report.examples] == [
        ("persons.csv", 11, "date"),
        ("persons.csv", 22, "century"),
        ("persons.csv", 23, "format"),
    ]
    # nothing is lost: the rows with problems are pseudonymised too
    out_ids = [r["person_id"] for r in read_csv(tmp_path / "out" / "persons.csv")]
    assert out_ids[10] == expected(key, digits(bad_date))
    assert out_ids[22] == expected(key, near_miss)
    assert any("may not link" in w for w in report.warnings)
    assert any("modulus-11" in w for w in report.warnings) == (f.mod11_warnings > 0)
    dumped = json.dumps(report.to_dict())
    for value in (*good, bad_date, digits(bad_date), bad_century, near_miss):
        assert value not in dumped
        assert digits(value) not in dumped
    assert report.to_dict()["totals"]["problems"] == f.problems


def test_mod11_failures_are_warnings_not_problems(tmp_path: Path, key: bytes) -> None:
    cprs = random_cprs(random.Random(9), 60)
    failing = [c for c in cprs if not passes_mod11(c)]
    assert failing
    persons_csv(tmp_path / "src", cprs)
    report = pseudonymise_extract(tmp_path / "src", tmp_path / "out", key=key)
    assert report.mod11_warnings == len(failing)
    assert sum(report.problems.values()) == 0
    assert report.files[0].identifiers_replaced == len(cprs)


def test_examples_are_capped_at_twenty(tmp_path: Path, key: bytes) -> None:
    ids = [raw_cpr(31, 4, 80 + i % 10, f"{i:04d}") for i in range(30)]
    persons_csv(tmp_path / "src", ids)
    report = pseudonymise_extract(tmp_path / "src", tmp_path / "out", key=key)
    assert report.problems["date"] == 30
    assert len(report.examples) == 20


def test_cpr_numbers_in_other_columns_are_reported_not_changed(
    tmp_path: Path, key: bytes, cprs: list[str]
) -> None:
    src = tmp_path / "src"
    persons_csv(src, cprs[:2])
    write(
        src / "measurements.csv",
        "person_id,date,kind,value,note\n"
        f"{cprs[0]},2023-01-01,weight_kg,80,mother {cprs[1]}\n"
        f"{cprs[0]},2023-01-02,weight_kg,81,{cprs[1]}\n"
        f"{cprs[0]},2023-01-03,weight_kg,82,order 12{digits(cprs[1])}\n",
    )
    report = pseudonymise_extract(src, tmp_path / "out", key=key)
    measurements = report.files[1]
    assert measurements.cpr_in_other_columns == {"note": 2}
    assert any("note" in w and "NOT" in w for w in report.warnings)
    rows = read_csv(tmp_path / "out" / "measurements.csv")
    assert rows[1]["note"] == cprs[1]


# --- Parquet -----------------------------------------------------------------------------------


CONTACT_SCHEMA = pa.schema(
    [
        ("contact_id", pa.string()),
        ("person_id", pa.string()),
        ("start", pa.timestamp("s")),
        ("end", pa.timestamp("s")),
        ("priority", pa.dictionary(pa.int8(), pa.string())),
        ("setting", pa.string()),
        ("primary_diagnosis", pa.string()),
        ("psychiatric", pa.bool_()),
        ("cost_dkk", pa.decimal128(12, 2)),
    ],
    metadata={"written_by": "a test"},
)


def contacts_table(ids: list[str | None], first: int) -> pa.Table:
    n = len(ids)
    start = [datetime(2023, 1, 1 + i % 28, 8) for i in range(n)]
    return pa.table(
        {
            "contact_id": [f"c{first + i}" for i in range(n)],
            "person_id": ids,
            "start": start,
            "end": [s.replace(hour=12) for s in start],
            "priority": pa.array(["acute", "planned"] * (n // 2) + ["acute"] * (n % 2)),
            "setting": ["emergency"] * n,
            "primary_diagnosis": ["DI219"] * n,
            "psychiatric": [i % 3 == 0 for i in range(n)],
            "cost_dkk": [Decimal("1234.50") + i for i in range(n)],
        }
    ).cast(CONTACT_SCHEMA)


def parquet_parts(directory: Path, cprs: list[str]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    ids: list[str | None] = [c if i % 2 else digits(c) for i, c in enumerate(cprs)]
    halves = [[*ids[:4], None], [*ids[4:], ids[0]]]
    paths = []
    for k, half in enumerate(halves):
        path = directory / f"part-{k}.parquet"
        pq.write_table(contacts_table(half, 10 * k), path, row_group_size=2, compression="zstd")
        paths.append(path)
    return paths


def test_parquet_parts_round_trip_with_schema_and_row_groups(
    tmp_path: Path, key: bytes, cprs: list[str]
) -> None:
    src = tmp_path / "src"
    persons_csv(src, cprs)
    parts = parquet_parts(src / "hospital_contacts", cprs)
    report = pseudonymise_extract(src, tmp_path / "out", key=key)
    for part in parts:
        out = tmp_path / "out" / "hospital_contacts" / part.name
        before, after = pq.ParquetFile(part), pq.ParquetFile(out)
        assert after.schema_arrow.equals(before.schema_arrow, check_metadata=True)
        assert after.metadata.num_row_groups == before.metadata.num_row_groups
        for g in range(before.metadata.num_row_groups):
            assert after.metadata.row_group(g).num_rows == before.metadata.row_group(g).num_rows
            assert after.metadata.row_group(g).column(0).compression == "ZSTD"
        old, new = before.read(), after.read()
        for name in old.column_names:
            if name != "person_id":
                assert new.column(name).equals(old.column(name)), name
        assert new.column("person_id").to_pylist() == [
            None if v is None else expected(key, digits(v))
            for v in old.column("person_id").to_pylist()
        ]
    files = {f.file: f for f in report.files}
    assert files["hospital_contacts/part-0.parquet"].blank == 0
    assert files["hospital_contacts/part-0.parquet"].rows == 5
    assert files["hospital_contacts/part-0.parquet"].identifiers_replaced == 4
    assert files["hospital_contacts/part-1.parquet"].distinct_persons == 5
    assert report.distinct_persons == len(cprs)


@pytest.mark.parametrize(
    "id_type", [pa.string(), pa.large_string(), pa.dictionary(pa.int32(), pa.string())]
)
def test_parquet_person_id_keeps_its_type(
    tmp_path: Path, key: bytes, cprs: list[str], id_type: pa.DataType
) -> None:
    table = pa.table(
        {
            "person_id": pa.array(cprs, pa.string()).cast(id_type),
            "birth_date": [date(1960, 1, 1)] * len(cprs),
            "sex": ["F"] * len(cprs),
            "municipality": pa.array([360] * len(cprs), pa.int16()),
        }
    )
    (tmp_path / "src").mkdir()
    pq.write_table(table, tmp_path / "src" / "persons.parquet")
    pseudonymise_extract(tmp_path / "src", tmp_path / "out", key=key)
    out = pq.read_table(tmp_path / "out" / "persons.parquet")
    assert out.schema.equals(pq.read_schema(tmp_path / "src" / "persons.parquet"))
    ids = out.column("person_id").cast(pa.string()).to_pylist()
    assert ids == [expected(key, digits(c)) for c in cprs]


def test_parquet_person_id_that_is_not_text_is_refused(tmp_path: Path, key: bytes) -> None:
    (tmp_path / "src").mkdir()
    pq.write_table(pa.table({"person_id": [101, 102]}), tmp_path / "src" / "persons.parquet")
    with pytest.raises(ExtractError, match="string"):
        pseudonymise_extract(tmp_path / "src", tmp_path / "out", key=key)
    assert not (tmp_path / "out").exists()


# --- what is copied, where it goes ---------------------------------------------------------


def test_only_tables_and_extract_json_are_copied(
    tmp_path: Path, key: bytes, cprs: list[str]
) -> None:
    src = basic_extract(tmp_path / "src", cprs)
    parquet_parts(src / "hospital_contacts", cprs)
    write(src / "notes.txt", f"{cprs[0]}\n")
    write(src / "persons_backup.xlsx", "x")
    write(src / ".hidden", "x")
    write(src / "hospital_contacts" / "README.txt", "x")
    write(src / "raw" / "cpr_list.csv", "person_id\n")
    write(src / f"letter_{digits(cprs[1])}.pdf", "x")
    report = pseudonymise_extract(src, tmp_path / "out", key=key)
    out_files = {
        p.relative_to(tmp_path / "out").as_posix()
        for p in (tmp_path / "out").rglob("*")
        if p.is_file()
    }
    assert out_files == {
        "extract.json",
        "persons.csv",
        "primary_care.csv",
        "hospital_contacts/part-0.parquet",
        "hospital_contacts/part-1.parquet",
    }
    assert (tmp_path / "out" / "extract.json").read_bytes() == (src / "extract.json").read_bytes()
    assert report.copied == ["extract.json"]
    assert report.not_copied == [
        ".hidden",
        "hospital_contacts/README.txt",
        "letter_<CPR>.pdf",
        "notes.txt",
        "persons_backup.xlsx",
        "raw/cpr_list.csv",
    ]
    assert any("not copied" in w for w in report.warnings)
    assert digits(cprs[1]) not in json.dumps(report.to_dict())


def test_non_empty_out_dir_is_refused(tmp_path: Path, key: bytes, cprs: list[str]) -> None:
    src = basic_extract(tmp_path / "src", cprs)
    write(tmp_path / "out" / "keep.txt", "mine")
    with pytest.raises(ConfigurationError, match="not an empty directory"):
        pseudonymise_extract(src, tmp_path / "out", key=key)
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["keep.txt"]
    write(tmp_path / "a_file", "x")
    with pytest.raises(ConfigurationError):
        pseudonymise_extract(src, tmp_path / "a_file", key=key)


def test_empty_out_dir_is_used(tmp_path: Path, key: bytes, cprs: list[str]) -> None:
    src = basic_extract(tmp_path / "src", cprs)
    (tmp_path / "out").mkdir()
    pseudonymise_extract(src, tmp_path / "out", key=key)
    assert (tmp_path / "out" / "persons.csv").is_file()


def test_writing_into_the_extract_is_refused(tmp_path: Path, key: bytes, cprs: list[str]) -> None:
    src = basic_extract(tmp_path / "src", cprs)
    before = all_output_bytes(src)
    for out in (src, src / "pseudonymised", src / ".." / "src"):
        with pytest.raises(ConfigurationError, match="inside the extract"):
            pseudonymise_extract(src, out, key=key)
    assert all_output_bytes(src) == before


def test_a_failure_leaves_no_output(tmp_path: Path, key: bytes, cprs: list[str]) -> None:
    src = basic_extract(tmp_path / "src", cprs)
    # persons is written first, then this table fails: it has no person_id column
    write(src / "prescriptions.csv", "patient,dispensing_date,atc,cost_dkk\nx,2023-01-01,A,1\n")
    parent = tmp_path / "outs"
    with pytest.raises(ExtractError, match="no person_id column"):
        pseudonymise_extract(src, parent / "out", key=key)
    assert list(parent.iterdir()) == []


def test_report_is_json(tmp_path: Path, key: bytes, cprs: list[str]) -> None:
    src = basic_extract(tmp_path / "src", cprs)
    report = pseudonymise_extract(src, tmp_path / "out", key=key)
    assert isinstance(report, PseudonymisationReport)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["totals"]["identifiers_replaced"] == 2 * len(cprs)
    assert data["files"][0]["file"] == "persons.csv"
    assert data["distinct_persons"] == len(cprs)
    assert set(data["files"][0]["problems"]) == {"format", "date", "century"}


def test_cpr_numbers_in_other_parquet_columns_are_reported(
    tmp_path: Path, key: bytes, cprs: list[str]
) -> None:
    src = tmp_path / "src"
    persons_csv(src, cprs[:1])
    table = pa.table(
        {
            "person_id": [cprs[0]] * 3,
            "date": [date(2023, 1, 1)] * 3,
            "instrument": pa.array(["who5"] * 3).dictionary_encode(),
            "item": pa.array([f"ref {cprs[2]}", "score", digits(cprs[3])]).dictionary_encode(),
            "value": [1.0, 2.0, 3.0],
        }
    )
    pq.write_table(table, src / "questionnaire_responses.parquet")
    report = pseudonymise_extract(src, tmp_path / "out", key=key)
    assert report.files[1].cpr_in_other_columns == {"item": 2}
    out = pq.read_table(tmp_path / "out" / "questionnaire_responses.parquet")
    assert out.column("item").equals(table.column("item"))


def test_cpr_number_in_extract_json_is_a_warning(
    tmp_path: Path, key: bytes, cprs: list[str]
) -> None:
    src = basic_extract(tmp_path / "src", cprs)
    write(src / "extract.json", json.dumps({"description": f"sample incl. {cprs[0]}"}))
    report = pseudonymise_extract(src, tmp_path / "out", key=key)
    assert any(w.startswith("extract.json holds") for w in report.warnings)
    assert cprs[0] not in json.dumps(report.to_dict())


@pytest.mark.parametrize("terminator", ["\n", "\r\n"])
def test_quoting_keeps_every_field_intact(tmp_path: Path, key: bytes, terminator: str) -> None:
    values = ["a\rb", "c\nd", 'say "hi"', "x,y", "  padded ", ""]
    header = "person_id,birth_date,sex,municipality," + ",".join(f"n{i}" for i in range(6))
    quoted = ",".join('"' + v.replace('"', '""') + '"' if v else "" for v in values)
    body = f"{header}{terminator}A1,1960-01-01,F,360,{quoted}{terminator}"
    write(tmp_path / "src" / "persons.csv", body)
    pseudonymise_extract(tmp_path / "src", tmp_path / "out", key=key)
    [row] = read_csv(tmp_path / "out" / "persons.csv")
    assert [row[f"n{i}"] for i in range(6)] == values
    assert (tmp_path / "out" / "persons.csv").read_bytes().endswith(terminator.encode())
