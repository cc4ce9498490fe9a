"""The three ways of reading a CSV file give the same rows, row numbers and malformed records.

pyarrow reads fast and the csv module reads strictly; which one reads a file must never change
a value (issue 9, section 1). Hypothesis writes files of awkward fields and compares the paths.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broen.analytics._csv import CsvChunk, ReadMode, RereadCsv, read_csv_chunks

NAMES = ["a", "b", "c"]
FIELD = st.text(alphabet=st.sampled_from(list('ab ,;"\n\r\tæ0.')), max_size=6)
RECORD = st.lists(FIELD, min_size=1, max_size=4)


def _quote(field: str, sep: str) -> str:
    if any(ch in field for ch in (sep, '"', "\n", "\r")) or field.startswith(" "):
        return '"' + field.replace('"', '""') + '"'
    return field


def _modes(text: str) -> list[ReadMode]:
    # The importer reads a file in "fast" mode only when it holds no quote character.
    return ["careful", "scanned"] if '"' in text else ["careful", "scanned", "fast"]


def _read(path: Path, mode: ReadMode, sep: str) -> tuple[list[tuple[object, ...]], list[object]]:
    rows: list[tuple[object, ...]] = []
    bad: list[object] = []
    while True:
        try:
            chunks: list[CsvChunk] = list(
                read_csv_chunks(path, NAMES, encoding="utf-8", sep=sep, mode=mode, block_size=64)
            )
        except RereadCsv as again:
            mode = again.mode
            continue
        for chunk in chunks:
            columns = [chunk.batch.column(n).to_pylist() for n in [*NAMES, "_row"]]
            rows.extend(zip(*columns, strict=True))
            bad.extend((m.row, m.fields) for m in chunk.malformed)
        return rows, bad


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(RECORD, max_size=12),
    sep=st.sampled_from([",", ";"]),
    newline=st.sampled_from(["\n", "\r\n"]),
    raw_tail=st.sampled_from(["", '\n1,"cut', '\n"x"y,2,3', "\n\n"]),
)
def test_every_reading_path_gives_the_same_rows(
    records: list[list[str]], sep: str, newline: str, raw_tail: str
) -> None:
    lines = [sep.join(NAMES)]
    lines += [sep.join(_quote(f, sep) for f in record) for record in records]
    text = newline.join(lines) + raw_tail.replace(",", sep)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        path.write_bytes(text.encode("utf-8"))
        results = {mode: _read(path, mode, sep) for mode in _modes(text)}
    careful = results.pop("careful")
    for mode, result in results.items():
        assert result == careful, mode
    rows, bad = careful
    numbers = sorted([r[-1] for r in rows] + [b[0] for b in bad])  # type: ignore[index]
    assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize(
    ("text", "good", "malformed"),
    [
        ("a,b,c\n1,2,3\n", [("1", "2", "3", 1)], []),
        ('a,b,c\n1,"x""y",3\n', [("1", 'x"y', "3", 1)], []),
        ('a,b,c\n1,x"y,3\n', [("1", 'x"y', "3", 1)], []),
        ('a,b,c\n1,"xy"z,3\n4,5,6\n', [("4", "5", "6", 2)], [(1, None)]),
        ('a,b,c\n1,2,"abc', [], [(1, None)]),
        ("a,b,c\n1,2\n\n4,5,6\n", [("4", "5", "6", 2)], [(1, 2)]),
        ('a,b,c\n""\n1,,3\n', [("1", "", "3", 2)], [(1, 1)]),
    ],
)
def test_the_grammar_on_hand_made_files(
    tmp_path: Path,
    text: str,
    good: list[tuple[object, ...]],
    malformed: list[tuple[int, int | None]],
) -> None:
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    for mode in _modes(text):
        assert _read(path, mode, ",") == (good, malformed)  # type: ignore[arg-type]
