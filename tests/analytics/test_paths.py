"""File names built from identifiers stay in their folder and never collide."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broen.analytics import ConfigurationError
from broen.analytics._paths import file_name, path_in

HOSTILE = [
    "../../x",
    "/etc/passwd",
    "a/b",
    "..",
    ".",
    "x" * 300,
    "x\0y",
    "a\\b",
    "..\\..\\x",
    "C:\\Windows\\x",
    "",
    ".hidden",
    "-rf",
    "~",
    "con",
    "NUL",
    "lpt1",
    "Peter",
    "a b",
    "æøå",
]
NAME = re.compile(r"[A-Za-z0-9_-]{1,64}|[A-Za-z0-9_-]{1,40}~[0-9a-f]{32}")


def _hash(identifier: str) -> str:
    return hashlib.sha256(identifier.encode()).hexdigest()[:32]


def test_a_plain_identifier_is_its_own_name() -> None:
    for plain in ("p3f2a9c01b7d4e5f6a7b8", "acute_admission-2021-12", "x" * 64, "0"):
        assert file_name(plain) == plain


def test_other_identifiers_keep_their_safe_characters_and_add_a_hash() -> None:
    assert file_name("../../x") == f"x~{_hash('../../x')}"
    assert file_name("/etc/passwd") == f"etc_passwd~{_hash('/etc/passwd')}"
    assert file_name("a/b") == f"a_b~{_hash('a/b')}"
    assert file_name("..") == f"id~{_hash('..')}"
    assert file_name("x" * 300) == f"{'x' * 40}~{_hash('x' * 300)}"
    assert file_name("x\0y") == f"x_y~{_hash('x' + chr(0) + 'y')}"
    assert file_name("con") == f"con~{_hash('con')}"  # a Windows device name


@pytest.mark.parametrize("identifier", HOSTILE)
def test_hostile_identifiers_stay_in_the_folder(identifier: str, tmp_path: Path) -> None:
    name = file_name(identifier)
    assert NAME.fullmatch(name), name
    assert name[0].isalnum() and ".." not in name and len(name) <= 73
    path = path_in(tmp_path, identifier, suffix=".html")
    assert path.parent == tmp_path and path.resolve().parent == tmp_path.resolve()
    assert path.name == name + ".html"


def test_the_mapping_is_one_to_one_also_ignoring_case() -> None:
    tricky = [*HOSTILE, "a_b", "A_B", "a:b", "a*b", "a_b~", f"a_b~{_hash('a/b')}", "x" * 301]
    names = [file_name(i).casefold() for i in tricky]
    assert len(set(names)) == len(tricky)


@given(st.text(max_size=80))
def test_any_text_gives_a_safe_name(identifier: str) -> None:
    assert NAME.fullmatch(file_name(identifier))


@given(st.text(max_size=20), st.text(max_size=20))
def test_different_texts_give_different_names(a: str, b: str) -> None:
    if a != b:
        assert file_name(a).casefold() != file_name(b).casefold()


def test_a_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    folder, outside = tmp_path / "timeline", tmp_path / "outside.html"
    folder.mkdir()
    (folder / "p1.html").symlink_to(outside)
    with pytest.raises(ConfigurationError, match=r"leads out of .*timeline"):
        path_in(folder, "p1", suffix=".html")
    assert path_in(folder, "p2", suffix=".html") == folder / "p2.html"


def test_prefix_and_suffix_are_checked() -> None:
    assert path_in(Path("out"), "acute_admission", prefix="model-", suffix=".skops") == Path(
        "out/model-acute_admission.skops"
    )
    for prefix, suffix in (("../", ""), ("", "/x"), (".", ".html"), ("", "\0")):
        with pytest.raises(ValueError, match="unsafe"):
            path_in(Path("out"), "p1", prefix=prefix, suffix=suffix)
