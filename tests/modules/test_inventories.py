"""Plan inventories as data: every ``<terraform dir>/tests/inventory*.toml``, planned once, asserted.

An inventory file sits next to the configuration it describes (fabric's inventory YAML, in TOML):

- ``<dir>/tests/inventory.toml``: ``<dir>`` planned as committed (an example with its defaults);
- ``<dir>/tests/inventory.<stem>.toml``: ``<dir>`` planned with its ``<stem>.tfvars``
  (modules/rds-postgres/examples/complete/tests/inventory.dev.toml reads dev.tfvars);
- ``terraform/tests/inventory.<env>.toml``: the platform root with ``environments/<env>.tfvars`` on a
  fresh emulator network (tests/platform/support.py), as the platform plan tests plan it.

Tables (all optional but ``[counts]`` in practice), read by ``tests.harness.load_inventory``:

- ``[plan]``: ``unique_vars = { name = "prefix" }`` (or ``{ prefix = "alb", max_len = 20 }``) sets each
  variable to a fresh ``unique_name`` per run; ``{name}`` in any expected string is that value.
  ``vars = { ... }`` sets literal variables (on the root: overrides such as ``api_domain_name``).
- ``[counts]``: planned resources by type (0 asserts there are none).
- ``[values.'<address>']``: planned attributes of the one resource whose address ends with
  ``<address>``; a subset: dicts by key, lists element by element and of the same length.
- ``[outputs]``: outputs known at plan time, compared the same way.
- ``null_values = ["<address>.<attribute>", "output.<name>"]``: TOML has no null, so an attribute
  or output that must be planned as null is listed here (the attribute is the text after the last
  dot: attribute names have none, for_each keys may).

``python -m scripts inventory PLAN_JSON --values ADDRESS ...`` prints a draft for a reviewer to edit
(counts, the named addresses' values, known outputs); keep what the test means, drop the rest.

One plan per directory and run: ``tests.harness.shared_plan`` plans under a file lock in the run's
shared temporary directory and leaves the plan JSON there, so the behavioural tests of the same
configuration (tests/modules/test_*_plan.py, tests/platform/test_platform_plan_*.py: checks written
in Python) read the very plan this collector asserts, in whichever xdist worker they run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.terraform.tf import REPO_ROOT
from tests.harness import assert_inventory, inventory_files, load_inventory, shared_plan

pytestmark = pytest.mark.emulator

FILES = inventory_files()


def test_every_inventory_names_a_configuration():
    """A misplaced or misnamed file would never be asserted; the list also must not be empty."""
    assert FILES, "no inventory files found"
    for path in FILES:
        inv = load_inventory(path)
        tfdir = REPO_ROOT / inv.tfdir
        assert list(tfdir.glob("*.tf")), f"{inv.key}: {inv.tfdir} holds no Terraform configuration"
        if inv.var_file and inv.tfdir != "terraform":
            assert (tfdir / inv.var_file).is_file(), f"{inv.key}: {inv.tfdir}/{inv.var_file} does not exist"
        if inv.tfdir == "terraform":
            assert (tfdir / "environments" / inv.var_file).is_file(), f"{inv.key}: no environments/{inv.var_file}"


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(REPO_ROOT).as_posix() for p in FILES])
def test_plan_matches_inventory(path: Path, emulator, tmp_path_factory):
    plan = shared_plan(path, emulator, tmp_path_factory)
    assert_inventory(plan.inventory, load_inventory(path).expected(plan.names))
