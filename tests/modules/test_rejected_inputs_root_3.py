"""Rejected-input tables, the share `rejected.SHARDS["root_3"]` names: each case's plan fails and its
error says the table's words; a table's base inputs plan cleanly (tests/support/rejected.py).

A module of its own so that `--dist loadfile` runs it alongside the other shares (ADR 0021).
"""

from __future__ import annotations

import pytest

from tests.support import rejected

pytestmark = pytest.mark.terraform

outcomes, test_case = rejected.collector("root_3")
