"""Model files that cannot run code: skops instead of pickle, with an explicit trust list.

A model file is a skops archive (a zip of ``schema.json`` and ``.npy`` arrays: no pickle) with
one extra member, ``broen.json``, that holds the metadata (format, Broen and scikit-learn
versions, target, model kind, min_age) so it can be read without loading the model.

Loading refuses, each with one sentence asking to fit again:

- anything that is not such a zip, e.g. the pickles of Broen before format 3; they are
  recognised by their first byte and never unpickled;
- a file whose metadata is missing or of another format, or another scikit-learn version;
- a file that holds any type outside skops' defaults and :data:`TRUSTED_TYPES`;
- gradient-boosted trees whose node indices point outside the tree or the features. skops
  checks types, not content, and scikit-learn follows those indices without bounds checks
  (skops' note on ``TreePredictor``), so a crafted file could crash the process otherwise.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
import skops.io
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.ensemble._hist_gradient_boosting.common import PREDICTOR_RECORD_DTYPE
from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor

from broen import __version__
from broen.analytics._exceptions import ConfigurationError
from broen.analytics.risk._metrics import CalibrationBin, Metrics
from broen.analytics.risk._model import RiskModel, _signed_log1p
from broen.analytics.risk._names import MODELS, TARGETS

# 2: reasons are Shapley values over the reason groups (reason_permutations)
# 3: skops instead of pickle; metadata in broen.json
MODEL_FORMAT = 3
INFO_MEMBER = "broen.json"
REFIT = "run 'broen risk fit' again"


def _type_name(obj: type | Callable[..., Any]) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


# Beyond skops' defaults (builtins, numpy, scikit-learn estimators and loss objects), exactly
# the types a fitted RiskModel is made of. Each is constructed by setting attributes only.
TRUSTED_TYPES: tuple[str, ...] = tuple(
    _type_name(t)
    for t in (
        RiskModel,  # the estimator itself
        Metrics,  # metrics_, baseline_
        CalibrationBin,  # in calibration_ and in each Metrics
        _signed_log1p,  # the FunctionTransformer of the logistic pipeline
        TreePredictor,  # the trees of gradient boosting; content checked by _check_trees
    )
)


@dataclass(frozen=True)
class ModelInfo:
    """The metadata of a model file, readable without loading the model."""

    format: int
    broen: str
    sklearn: str
    target: str
    model: str
    min_age: int


def save_model(model: RiskModel, path: Path, *, min_age: int) -> Path:
    """Write ``model`` to ``path`` (replacing it only once the new file is complete)."""
    info = ModelInfo(
        MODEL_FORMAT, __version__, sklearn.__version__, model.target, model.model, min_age
    )
    buffer = io.BytesIO(skops.io.dumps(model, compression=zipfile.ZIP_DEFLATED))
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr(INFO_MEMBER, json.dumps(asdict(info), indent=2))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(buffer.getvalue())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _info(data: bytes, path: Path) -> ModelInfo:
    if data[:1] == b"\x80":  # pickle protocol 2 and later
        raise ConfigurationError(
            f"{path} is a model file of an earlier Broen (a pickle, which can run code, so "
            f"Broen no longer opens it): {REFIT}."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            raw = json.loads(archive.read(INFO_MEMBER))
        info = ModelInfo(**raw)
        if not isinstance(info.format, int) or not isinstance(info.min_age, int):
            raise TypeError
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError):
        raise ConfigurationError(f"{path} is not a Broen model file: {REFIT}.") from None
    return info


def _check_versions(info: ModelInfo, path: Path) -> None:
    if info.format != MODEL_FORMAT:
        raise ConfigurationError(
            f"The model in {path} was fitted by another Broen (model format {info.format}, this "
            f"Broen reads {MODEL_FORMAT}): {REFIT}."
        )
    if info.sklearn != sklearn.__version__:
        raise ConfigurationError(
            f"The model in {path} was fitted with scikit-learn {info.sklearn}, this is "
            f"{sklearn.__version__}: {REFIT}."
        )


def read_model_info(path: Path) -> ModelInfo:
    """The metadata of the model file at ``path``, without loading the model (also when it was
    written by another Broen or scikit-learn version)."""
    return _info(_read(path), path)


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise ConfigurationError(f"There is no fitted model at {path}: run 'broen risk fit' first.")
    return path.read_bytes()


def load_model(path: Path) -> tuple[RiskModel, int]:
    """The fitted model and its minimum age from a file written by :func:`save_model`.

    Nothing in the file is executed: see the module docstring for what is refused."""
    data = _read(path)  # read once: the checks and the load see the same bytes
    info = _info(data, path)
    _check_versions(info, path)
    damaged = f"The model file {path} is damaged or was altered: {REFIT}."
    try:
        untrusted = sorted(set(skops.io.get_untrusted_types(data=data)) - set(TRUSTED_TYPES))
    except Exception:  # any malformed archive; nothing has been constructed yet
        raise ConfigurationError(damaged) from None
    if untrusted:
        raise ConfigurationError(
            f"Refusing to load {path}: it holds types that a Broen model never contains "
            f"({', '.join(untrusted)}); {REFIT}."
        )
    try:
        model = skops.io.loads(data, trusted=list(TRUSTED_TYPES))
    except Exception:
        raise ConfigurationError(damaged) from None
    if not (
        isinstance(model, RiskModel)
        and model.target in TARGETS
        and model.model in MODELS
        and (model.target, model.model) == (info.target, info.model)
        and _check_trees(model)
    ):
        raise ConfigurationError(damaged)
    return model, info.min_age


def _check_trees(model: RiskModel) -> bool:
    """True unless the model has gradient-boosted trees that would read out of bounds."""
    estimator = getattr(model, "estimator_", None)
    if not isinstance(estimator, HistGradientBoostingClassifier):
        return True
    try:
        n_features = int(estimator.n_features_in_)
        if estimator.is_categorical_ is not None or np.any(estimator._bin_mapper.is_categorical_):
            return False  # Broen never fits categorical splits; their bitsets are unchecked
        return all(
            isinstance(tree, TreePredictor) and _tree_ok(tree.nodes, n_features)
            for trees in estimator._predictors
            for tree in trees
        )
    except (AttributeError, TypeError, ValueError):
        return False


def _tree_ok(nodes: Any, n_features: int) -> bool:
    """Every split's children come after it (no cycles) and lie in the tree, and it splits on
    an existing feature."""
    if not isinstance(nodes, np.ndarray) or nodes.dtype != PREDICTOR_RECORD_DTYPE:
        return False
    if nodes.ndim != 1 or nodes.size == 0:
        return False
    split = nodes["is_leaf"] == 0
    at = np.flatnonzero(split)
    children_ok = all(
        bool(np.all((nodes[side][split] > at) & (nodes[side][split] < nodes.size)))
        for side in ("left", "right")
    )
    feature = nodes["feature_idx"][split]
    return (
        children_ok
        and bool(np.all((feature >= 0) & (feature < n_features)))
        and not bool(np.any(nodes["is_categorical"][split]))
    )
