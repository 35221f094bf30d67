"""The longest test chains are collected first, so `--dist loadfile` starts them first."""

from __future__ import annotations

from types import SimpleNamespace

from scripts.terraform.tf import REPO_ROOT
from tests import conftest


def test_every_listed_chain_is_a_test_file_of_the_suite():
    missing = [path for path in conftest.LONGEST_FIRST if not (REPO_ROOT / path).is_file()]
    assert not missing, f"LONGEST_FIRST names files that no longer exist: {missing}"


def test_listed_files_come_first_in_their_order_and_the_rest_keep_theirs():
    ids = [
        "tests/unit/test_a.py::t1",
        f"{conftest.LONGEST_FIRST[1]}::t1",
        "tests/modules/test_b.py::t1",
        f"{conftest.LONGEST_FIRST[0]}::t1",
        f"{conftest.LONGEST_FIRST[1]}::t2",
        "tests/unit/test_a.py::t2",
    ]
    items = [SimpleNamespace(nodeid=i) for i in ids]
    conftest.pytest_collection_modifyitems(None, items)  # type: ignore[arg-type]
    assert [i.nodeid for i in items] == [ids[3], ids[1], ids[4], ids[0], ids[2], ids[5]]
