"""Edited copies of the data files scripts/checks/tables.py reads, to show a reader following its file."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from scripts.checks import tables


def use_edited_table(
    constant: str, edit: Callable[[dict[str, Any]], None], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    """Point ``tables.<constant>`` (INTENTS_FILE, ECS_SERVICE_CONTRACT_FILE...) at a copy of its file that
    ``edit`` changed, for the rest of the test; returns the file as it was, for the test's own checks."""
    original = getattr(tables, constant)
    table = json.loads(original.read_text())
    edited = copy.deepcopy(table)
    edit(edited)
    edited_file = tmp_path / original.name
    edited_file.write_text(json.dumps(edited))
    monkeypatch.setattr(tables, constant, edited_file)
    return table
