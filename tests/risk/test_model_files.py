"""Model files: a saved model predicts identically, its metadata reads without loading it, and
nothing in a file can run: old pickles, foreign types and altered trees are refused."""

from __future__ import annotations

import copy
import json
import os
import pickle
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sklearn
import skops.io  # type: ignore[import-untyped]

from broen import __version__
from broen.analytics import ConfigurationError, connect
from broen.analytics.risk import (
    MODELS,
    TRUSTED_TYPES,
    ModelInfo,
    RiskModel,
    load_features,
    load_model,
    read_model_info,
    save_model,
    score_risk,
)
from broen.analytics.risk._persist import _check_trees
from broen.analytics.risk._workflow import model_path

REFIT = "run 'broen risk fit' again."
OURS = {
    "broen.analytics.risk._model.RiskModel",
    "broen.analytics.risk._metrics.Metrics",
    "broen.analytics.risk._metrics.CalibrationBin",
}
TREES = "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"
LOG1P = "broen.analytics.risk._model._signed_log1p"


@pytest.fixture(scope="module")
def features(synth_warehouse: Path) -> pd.DataFrame:
    with connect(synth_warehouse, read_only=True) as con:
        return load_features(con)


@pytest.fixture(scope="module")
def fitted(features: pd.DataFrame) -> dict[str, RiskModel]:
    return {kind: RiskModel(model=kind, max_iter=30).fit(features) for kind in MODELS}  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def saved(
    fitted: dict[str, RiskModel], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("models")
    return {k: save_model(m, folder / f"model-{k}.skops", min_age=18) for k, m in fitted.items()}


def _one_sentence(err: pytest.ExceptionInfo[ConfigurationError]) -> str:
    text = str(err.value)
    assert text.endswith(".") and ". " not in text and "\n" not in text, text
    return text


def _refused(path: Path) -> str:
    with pytest.raises(ConfigurationError) as err:
        load_model(path)
    return _one_sentence(err)


def _rewrite(src: Path, dest: Path, name: str, change: Any) -> Path:
    """A copy of the zip ``src`` with member ``name`` replaced by ``change(old text)``."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dest, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            new.writestr(item, change(data.decode()) if item.filename == name else data)
    return dest


@pytest.mark.parametrize("kind", MODELS)
def test_a_saved_model_predicts_identically(
    kind: str, fitted: dict[str, RiskModel], saved: dict[str, Path], features: pd.DataFrame
) -> None:
    loaded, min_age = load_model(saved[kind])
    original = fitted[kind]
    assert min_age == 18 and loaded is not original
    assert np.array_equal(loaded.predict_risk(features), original.predict_risk(features))
    some = features.head(5)
    assert loaded.reasons(some) == original.reasons(some)
    assert loaded.get_params() == original.get_params()
    assert loaded.metrics_ == original.metrics_ and loaded.baseline_ == original.baseline_
    assert loaded.feature_names_ == original.feature_names_


@pytest.mark.parametrize("kind", MODELS)
def test_the_metadata_reads_without_loading_the_model(
    kind: str, saved: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(skops.io, "loads", never)
    monkeypatch.setattr(skops.io, "get_untrusted_types", never)
    info = read_model_info(saved[kind])
    assert info == ModelInfo(3, __version__, sklearn.__version__, "acute_admission", kind, 18)
    with zipfile.ZipFile(saved[kind]) as archive:  # plain JSON, for any zip tool
        assert json.loads(archive.read("broen.json"))["format"] == 3
        assert "schema.json" in archive.namelist()


def test_the_trusted_types_are_those_a_model_is_made_of(saved: dict[str, Path]) -> None:
    assert set(TRUSTED_TYPES) == OURS | {TREES, LOG1P} and len(TRUSTED_TYPES) == 5
    found = {k: set(skops.io.get_untrusted_types(file=p)) for k, p in saved.items()}
    assert found == {"hist_gradient_boosting": OURS | {TREES}, "logistic": OURS | {LOG1P}}


class _Touch:
    """Unpickling this creates a file: the visible side effect of running code."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        return (open, (str(self.path), "w"))


def _old_model(marker: Path, protocol: int) -> bytes:
    bundle = {"format": 2, "sklearn": sklearn.__version__, "min_age": 18, "model": _Touch(marker)}
    return pickle.dumps(bundle, protocol=protocol)


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_an_old_pickle_is_refused_without_unpickling_it(protocol: int, tmp_path: Path) -> None:
    control = tmp_path / "control"
    pickle.loads(_old_model(control, protocol))["model"].close()
    assert control.exists()  # the payload works: unpickling it runs code

    marker = tmp_path / "marker"
    old = tmp_path / "model-acute_admission.pkl"
    old.write_bytes(_old_model(marker, protocol))
    message = _refused(old)
    assert message.endswith(REFIT)
    expected = "of an earlier Broen (a pickle" if protocol >= 2 else "is not a Broen model file"
    assert expected in message
    assert not marker.exists()


def _replace_type(node: Any, found: str, planted: str) -> int:
    """Make every node of type ``found`` in a skops schema one of type ``planted``."""
    if isinstance(node, list):
        return sum(_replace_type(child, found, planted) for child in node)
    if not isinstance(node, dict):
        return 0
    hits = _replace_type(list(node.values()), found, planted)
    if f"{node.get('__module__')}.{node.get('__class__')}" == found:
        node["__module__"], node["__class__"] = planted.rsplit(".", 1)
        hits += 1
    return hits


@pytest.mark.parametrize(
    ("found", "planted"),
    [
        (LOG1P, "os.system"),  # the function of the FunctionTransformer
        ("broen.analytics.risk._model.RiskModel", "builtins.eval"),
        ("broen.analytics.risk._metrics.CalibrationBin", "subprocess.Popen"),
    ],
)
def test_a_file_with_an_untrusted_type_is_refused(
    found: str, planted: str, saved: dict[str, Path], tmp_path: Path
) -> None:
    def plant(text: str) -> str:
        schema = json.loads(text)
        assert _replace_type(schema, found, planted) >= 1
        return json.dumps(schema)

    crafted = _rewrite(saved["logistic"], tmp_path / "crafted.skops", "schema.json", plant)
    message = _refused(crafted)
    assert message.startswith(f"Refusing to load {crafted}: it holds types that a Broen model")
    assert f"({planted})" in message and message.endswith(REFIT)


@pytest.mark.parametrize(
    ("field", "value"),
    [("left", 10**6), ("right", 0), ("feature_idx", 10**4), ("feature_idx", -1)],
)
def test_altered_trees_are_refused(
    field: str, value: int, fitted: dict[str, RiskModel], tmp_path: Path
) -> None:
    model = copy.deepcopy(fitted["hist_gradient_boosting"])
    nodes = model.estimator_._predictors[3][0].nodes
    split = int(np.flatnonzero(nodes["is_leaf"] == 0)[-1])
    nodes[field][split] = value  # out of range, a cycle back to the root, no such feature
    assert _check_trees(fitted["hist_gradient_boosting"]) and not _check_trees(model)
    path = save_model(model, tmp_path / "altered.skops", min_age=18)
    assert _refused(path) == f"The model file {path} is damaged or was altered: {REFIT}"


def test_metadata_that_does_not_fit_is_refused(saved: dict[str, Path], tmp_path: Path) -> None:
    good = saved["logistic"]

    def edit(**change: object) -> Any:
        return lambda text: json.dumps({**json.loads(text), **change})

    other_format = _rewrite(good, tmp_path / "f.skops", "broen.json", edit(format=2))
    assert "(model format 2, this Broen reads 3)" in _refused(other_format)
    other_sklearn = _rewrite(good, tmp_path / "s.skops", "broen.json", edit(sklearn="0.1"))
    assert "fitted with scikit-learn 0.1, this is" in _refused(other_sklearn)
    assert read_model_info(other_sklearn).sklearn == "0.1"  # the metadata still read
    other_target = _rewrite(good, tmp_path / "t.skops", "broen.json", edit(target="top5_cost"))
    assert "damaged or was altered" in _refused(other_target)


def test_anything_else_is_not_a_model_file(saved: dict[str, Path], tmp_path: Path) -> None:
    empty, text, plain_zip = tmp_path / "empty", tmp_path / "text", tmp_path / "plain.skops"
    empty.write_bytes(b"")
    text.write_text("a model", encoding="utf-8")
    plain_zip.write_bytes(skops.io.dumps({"a": 1}))  # skops, but no broen.json
    for path in (empty, text, plain_zip):
        assert _refused(path) == f"{path} is not a Broen model file: {REFIT}"
    broken = _rewrite(saved["logistic"], tmp_path / "b.skops", "schema.json", lambda s: s[:-9])
    assert "damaged or was altered" in _refused(broken)
    with pytest.raises(ConfigurationError, match="There is no fitted model at"):
        load_model(tmp_path / "missing.skops")


def test_a_failed_save_keeps_the_old_file(
    fitted: dict[str, RiskModel], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = save_model(fitted["logistic"], tmp_path / "model.skops", min_age=18)
    before = path.read_bytes()

    def full_disk(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError, match="No space"):
        save_model(fitted["hist_gradient_boosting"], path, min_age=30)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.skops"]  # no partial file left


@pytest.mark.parametrize("target", ["../../x", "/etc/passwd", "acute_admission/../../x"])
def test_a_target_never_becomes_a_path(target: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="Unknown target"):
        model_path(tmp_path, target)
    with pytest.raises(ConfigurationError, match="Unknown target"):
        score_risk(tmp_path / "none.duckdb", month="2021-12", target=target)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []
