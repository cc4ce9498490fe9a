"""Report languages and message catalogues.

A report's texts live in one :class:`Translations` catalogue, ``key -> {"da": ..., "en": ...}``,
checked when it is made: every key has a text in every language of :data:`LANGUAGES`, no more.
Templates see the catalogue as a function ``t("key", name=value)``; a missing key, a missing
placeholder value or an unknown language raises :class:`ValueError`: nothing falls back silently
to another language or to the key itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

LANGUAGES: tuple[str, ...] = ("da", "en")
DEFAULT_LANGUAGE = "da"


def check_language(language: str) -> str:
    """``language`` when it is a report language, else :class:`ValueError`."""
    if language not in LANGUAGES:
        raise ValueError(
            f"Unknown report language {language!r}: use one of {', '.join(LANGUAGES)}."
        )
    return language


class Translations(Mapping[str, Mapping[str, str]]):
    """A report's message catalogue: ``key -> {"da": text, "en": text}``.

    Texts are plain text (the template escapes them), and may hold ``str.format`` placeholders
    (``"{n} persons"``; a literal brace is written ``{{``). Values for the placeholders are
    formatted by the caller, e.g. with :func:`format_number`, so that numbers follow the language.
    """

    def __init__(self, messages: Mapping[str, Mapping[str, str]]) -> None:
        checked: dict[str, dict[str, str]] = {}
        for key, texts in messages.items():
            missing = [lang for lang in LANGUAGES if not isinstance(texts.get(lang), str)]
            unknown = sorted(set(texts) - set(LANGUAGES))
            if missing or unknown:
                raise ValueError(
                    f"Text {key!r} must have a text in each of {', '.join(LANGUAGES)} and no "
                    f"other (missing: {', '.join(missing) or 'none'}; "
                    f"unknown: {', '.join(unknown) or 'none'})."
                )
            checked[key] = dict(texts)
        self._messages = checked

    @classmethod
    def from_pairs(cls, pairs: Mapping[str, tuple[str, ...]]) -> Translations:
        """``{key: (Danish, English)}``: the texts in the order of :data:`LANGUAGES`."""
        for key, texts in pairs.items():
            if len(texts) != len(LANGUAGES):
                raise ValueError(
                    f"Text {key!r} must have {len(LANGUAGES)} texts, in the order "
                    f"{', '.join(LANGUAGES)}; it has {len(texts)}."
                )
        return cls({key: dict(zip(LANGUAGES, texts, strict=True)) for key, texts in pairs.items()})

    def __getitem__(self, key: str) -> Mapping[str, str]:
        return self._messages[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._messages)

    def __len__(self) -> int:
        return len(self._messages)

    def __or__(self, other: Mapping[str, Mapping[str, str]]) -> Translations:
        """Both catalogues in one; a key defined in both is an error, not an override."""
        twice = sorted(set(self._messages) & set(other))
        if twice:
            raise ValueError(f"Texts defined twice: {', '.join(twice)}.")
        return Translations({**self._messages, **other})

    def text(self, key: str, language: str, /, **values: object) -> str:
        """The text ``key`` in ``language`` with its placeholders filled from ``values``."""
        check_language(language)
        texts = self._messages.get(key)
        if texts is None:
            raise ValueError(
                f"No text {key!r} in the report's translations: add it with its text in each of "
                f"{', '.join(LANGUAGES)}."
            )
        try:
            return texts[language].format(**values)
        except (KeyError, IndexError) as err:
            raise ValueError(f"Text {key!r} needs a value for the placeholder {err}.") from None

    def translator(self, language: str) -> Callable[..., str]:
        """``t(key, **values)``: :meth:`text` in one language (templates call it ``t``)."""
        check_language(language)

        def t(key: str, /, **values: object) -> str:
            return self.text(key, language, **values)

        return t
