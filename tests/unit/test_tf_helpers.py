"""Small helpers of the Terraform driver."""

from __future__ import annotations

import re

from scripts.tf import first_diagnostic, scratch_copy, unique_name


def test_first_diagnostic_joins_summary_and_detail():
    out = """
╷
│ Error: Invalid value for variable
│
│   on main.tf line 3:
│    3:   bucket_name = "Bad"
│
│ bucket_name must be 3-63 characters of lowercase letters.
╵
"""
    assert first_diagnostic(out) == (
        "Invalid value for variable: bucket_name must be 3-63 characters of lowercase letters."
    )


def test_first_diagnostic_without_error_gives_the_last_line():
    assert first_diagnostic("Initializing...\nsomething odd happened\n") == "something odd happened"


def test_unique_names_are_valid_and_distinct(monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
    names = {unique_name("imgclass-uploads") for _ in range(50)}
    assert len(names) == 50
    for name in names:
        assert re.fullmatch(r"[a-z0-9-]{3,32}", name)
        assert "gw3" in name


def test_scratch_copy_keeps_relative_module_paths(tmp_path):
    target = scratch_copy("modules/private-s3/examples/complete", tmp_path)
    assert (target / "main.tf").exists()
    assert (target / "../../main.tf").resolve() == (tmp_path / "modules/private-s3/main.tf").resolve()
    assert not list(tmp_path.rglob(".terraform"))
