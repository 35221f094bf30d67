"""Short human labels for resource types in terminal tables (the data: labels.toml)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

LABELS_FILE = Path(__file__).resolve().parent / "labels.toml"


@cache
def labels(path: Path = LABELS_FILE) -> dict[str, str]:
    return dict(tomllib.loads(path.read_text())["labels"])


def label(rtype: str) -> str:
    """The type's label; an unlisted type reads as its words (``aws_foo_bar`` -> ``foo bar``)."""
    known = labels().get(rtype)
    if known:
        return known
    return rtype.removeprefix("aws_").replace("_", " ")


def labels_for(rtypes: Iterable[str]) -> dict[str, str]:
    """Labels of the rows of one table: a label two types would share falls back to the types
    themselves, so distinct types never print alike."""
    types = list(dict.fromkeys(rtypes))
    chosen = {t: label(t) for t in types}
    taken: dict[str, int] = {}
    for text in chosen.values():
        taken[text] = taken.get(text, 0) + 1
    return {t: text if taken[text] == 1 else t for t, text in chosen.items()}
