"""Terratest-style helpers shared by the module and platform tests.

- ``module_workspace``: a scratch root that calls one module with the given inputs (for plan
  inventories and rejected-input cases without an example of its own).
- ``example_workspace``: a scratch copy of a committed example or root.
- ``applied``: apply, hand over the outputs, then destroy in a finalizer whatever happened, and check
  that nothing is left in state.
- ``assert_idempotent``: the re-plan after apply shows nothing but known emulator artifacts.
- ``assert_rejected``: a plan fails and its error says what the caller must read.
- ``assert_inventory``: fabric-style expectations (counts by type, values by address suffix, outputs).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from scripts.emulator import Emulator
from scripts.terraform.idempotency import unexpected_changes
from scripts.terraform.inventory import PlanInventory, subset_mismatches
from scripts.terraform.tf import TerraformError, Workspace, scratch_copy

DEFAULT_REGION = "eu-west-1"
_BOX = re.compile(r"[│╷╵]")


def example_workspace(
    relpath: str, emulator: Emulator, tmp_path: Path, local_backend: bool = False, var_file: str | None = None
) -> Workspace:
    """``var_file``: a .tfvars file of the example (such as ``prod.tfvars``) that every command reads, as
    ``-var-file`` would; the test's own variables (``set_vars``) still win over it."""
    ws = Workspace.scratch(relpath, emulator=emulator, dest_root=tmp_path, local_backend=local_backend)
    if var_file is not None:
        # *.auto.tfvars files load in lexical order of their names, before any -var/-var-file, so the
        # copy comes before the harness's zz_harness.auto.tfvars.json:
        # https://developer.hashicorp.com/terraform/language/values/variables#variable-definition-precedence
        source = ws.tfdir / var_file
        (ws.tfdir / f"{source.stem}.auto.tfvars").write_text(source.read_text())
    ws.init()
    return ws


def module_workspace(
    module: str,
    inputs: Mapping[str, Any],
    emulator: Emulator,
    tmp_path: Path,
    region: str = DEFAULT_REGION,
    outputs: tuple[str, ...] = (),
) -> Workspace:
    """A root with one ``module "under_test"`` block, written as JSON so any input value is exact."""
    scratch_copy("modules", tmp_path)
    root = tmp_path / "harness_root"
    root.mkdir(exist_ok=True)
    config = {
        "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": ">= 5.100, < 7.0"}}},
        "module": {"under_test": {"source": f"../modules/{module}", **dict(inputs)}},
    }
    if outputs:
        config["output"] = {name: {"value": f"${{module.under_test.{name}}}"} for name in outputs}
    (root / "main.tf.json").write_text(json.dumps(config, indent=2))
    from scripts.emulator.override import write_override

    write_override(root, emulator.endpoint_url or "", region)
    ws = Workspace(root, extra_env=emulator.env())
    ws.init()
    return ws


def set_module_inputs(ws: Workspace, inputs: Mapping[str, Any]) -> None:
    """Replace the inputs of a ``module_workspace`` root (same source, so no re-init is needed)."""
    path = ws.tfdir / "main.tf.json"
    config = json.loads(path.read_text())
    block = config["module"]["under_test"]
    config["module"]["under_test"] = {"source": block["source"], **dict(inputs)}
    path.write_text(json.dumps(config, indent=2))


def normalise(text: str) -> str:
    """Diagnostics wrap long messages and draw boxes; compare on collapsed whitespace."""
    return " ".join(_BOX.sub(" ", text).split())


def assert_rejected(ws: Workspace, tf_vars: Mapping[str, Any] | None, *fragments: str) -> str:
    """Plan must fail before anything is created, and the error must contain every fragment."""
    output = normalise(ws.plan_error(tf_vars))
    missing = [f for f in fragments if normalise(f) not in output]
    assert not missing, f"error output lacks {missing!r}:\n{output[-3000:]}"
    return output


def assert_idempotent(ws: Workspace) -> PlanInventory:
    _code, inventory = ws.replan()
    problems = unexpected_changes(inventory)
    assert not problems, "re-plan after apply is not clean:\n" + "\n".join(problems)
    return inventory


def assert_inventory(inventory: PlanInventory, expected: Mapping[str, Any]) -> None:
    """``expected``: {counts: {type: n}, values: {address-suffix: {attr: value}}, outputs: {...}}."""
    problems: list[str] = []
    for rtype, count in (expected.get("counts") or {}).items():
        got = inventory.counts.get(rtype, 0)
        if got != count:
            problems.append(f"count of {rtype}: expected {count}, got {got}")
    for suffix, values in (expected.get("values") or {}).items():
        try:
            res = inventory.find(suffix)
        except KeyError as exc:
            problems.append(str(exc))
            continue
        problems += [f"{res.address}{p}" for p in subset_mismatches(values, res.values)]
    for name, value in (expected.get("outputs") or {}).items():
        problems += [f"output {name}{p}" for p in subset_mismatches(value, inventory.outputs.get(name))]
    assert not problems, "plan inventory differs:\n" + "\n".join(problems)


@contextmanager
def applied(ws: Workspace, tf_vars: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """Apply, yield outputs, destroy in a finalizer (also after a failed apply), and check state is empty."""
    if tf_vars is not None:
        ws.set_vars(tf_vars)
    try:
        ws.apply()
        yield ws.output()
    finally:
        try:
            ws.destroy()
        except TerraformError:
            # A hung or failing read must not keep the rest of the state from being cleaned up.
            ws.destroy("-refresh=false")
        left = ws.state_resources()
        if left:
            pytest.fail(f"destroy left resources in state: {left}")
