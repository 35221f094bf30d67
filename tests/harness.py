"""Terratest-style helpers shared by the module and platform tests.

- ``module_workspace``: a scratch root that calls one module with the given inputs (for plan
  inventories and rejected-input cases without an example of its own).
- ``example_workspace``: a scratch copy of a committed example or root.
- ``applied``: apply, hand over the outputs, then destroy in a finalizer whatever happened, and check
  that nothing is left in state.
- ``assert_idempotent``: the re-plan after apply shows nothing but known emulator artifacts.
- ``assert_rejected``: a plan fails and its error says what the caller must read.
- ``assert_inventory``: fabric-style expectations (counts by type, values by address suffix, outputs).
- ``load_inventory`` / ``shared_plan``: inventory files (``<terraform dir>/tests/inventory*.toml``) and
  the one plan per run of their directory that the collector and the behavioural plan tests share.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from scripts.emulator import Emulator
from scripts.terraform.idempotency import unexpected_changes
from scripts.terraform.inventory import PlanInventory, subset_mismatches
from scripts.terraform.tf import REPO_ROOT, TerraformError, Workspace, provider_constraint, scratch_copy, unique_name

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
        "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": provider_constraint()}}},
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


# --- plan inventories as data ----------------------------------------------------------------
# The format, the naming and the cache are described in tests/modules/test_inventories.py.

INVENTORY_GLOB = "tests/inventory*.toml"
PLATFORM_ROOT = "terraform"


@dataclass(frozen=True)
class InventoryFile:
    """One ``<terraform dir>/tests/inventory[.<var file stem>].toml``."""

    path: Path
    tfdir: str
    var_file: str | None
    unique_vars: dict[str, tuple[str, int]]
    tf_vars: dict[str, Any]
    data: dict[str, Any]

    @property
    def key(self) -> str:
        return self.path.relative_to(REPO_ROOT).as_posix()

    def expected(self, names: Mapping[str, str]) -> dict[str, Any]:
        return expected_inventory(self.data, names)


def expected_inventory(data: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """An inventory file's tables as the ``assert_inventory`` dict: ``{name}`` placeholders filled in,
    ``null_values`` entries as None."""
    expected = {part: _substitute(data.get(part) or {}, names) for part in ("counts", "values", "outputs")}
    for entry in data.get("null_values") or []:
        address, _, attr = entry.rpartition(".")
        if address == "output":
            expected["outputs"][attr] = None
        else:
            expected["values"].setdefault(address, {})[attr] = None
    return expected


def load_inventory(path: Path) -> InventoryFile:
    """Read an inventory file; a malformed one fails the test that reads it with the reason."""
    data = tomllib.loads(path.read_text())
    stem = path.name.removesuffix(".toml").removeprefix("inventory")
    tfdir = path.parent.parent.relative_to(REPO_ROOT).as_posix()
    var_file = f"{stem[1:]}.tfvars" if stem else None
    plan = data.pop("plan", {})
    extra = set(plan) - {"unique_vars", "vars"}
    if extra:
        raise ValueError(f"{path}: [plan] takes unique_vars and vars, not {sorted(extra)}")
    unique = {}
    for var, spec in (plan.get("unique_vars") or {}).items():
        unique[var] = (spec, 32) if isinstance(spec, str) else (spec["prefix"], int(spec.get("max_len", 32)))
    unknown = set(data) - {"counts", "values", "outputs", "null_values"}
    if unknown:
        raise ValueError(f"{path}: unknown tables {sorted(unknown)}")
    if tfdir == PLATFORM_ROOT and var_file is None:
        raise ValueError(f"{path}: the platform root is planned per environment: name it inventory.<env>.toml")
    return InventoryFile(path, tfdir, var_file, unique, dict(plan.get("vars") or {}), data)


def inventory_files() -> list[Path]:
    """Every committed inventory file, in a stable order."""
    found = [p for tree in ("modules", PLATFORM_ROOT) for p in (REPO_ROOT / tree).rglob(INVENTORY_GLOB)]
    return sorted(p for p in found if ".terraform" not in p.parts)


def inventory_path(tfdir: str, var_file: str | None = None) -> Path:
    stem = "" if var_file is None else "." + var_file.removesuffix(".tfvars")
    return REPO_ROOT / tfdir / "tests" / f"inventory{stem}.toml"


@dataclass
class SharedPlan:
    """One plan of an inventory file's directory, shared by the collector and the behavioural tests."""

    names: dict[str, str]
    inventory: PlanInventory
    tfdir: Path
    network: dict[str, Any] | None

    @property
    def name(self) -> str:
        return self.names["name"]

    def workspace(self, emulator: Emulator) -> Workspace:
        """The planned scratch root (possibly another worker's), for commands that call no AWS API."""
        return Workspace(self.tfdir, extra_env=emulator.env())


_PLANS: dict[str, SharedPlan] = {}


def shared_plan(path: Path, emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> SharedPlan:
    """The plan of an inventory file's directory, made once per pytest run.

    Once per process (memo) and once per run across xdist workers: the first worker to ask plans
    under a file lock in the run's shared temporary directory and leaves the plan JSON there; the
    others read it. Plans are emulator-independent apart from the platform root's network ids, which
    travel with the plan.
    """
    inv_file = load_inventory(path)
    if inv_file.key in _PLANS:
        return _PLANS[inv_file.key]
    basetemp = tmp_path_factory.getbasetemp()
    # xdist workers' basetemps are <run>/popen-gwN; without xdist the basetemp is the run's own.
    run_root = basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp
    store = run_root / "shared-plans" / re.sub(r"[^A-Za-z0-9.]+", "-", inv_file.key)
    store.mkdir(parents=True, exist_ok=True)
    with (store / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if (store / "meta.json").exists():
                meta = json.loads((store / "meta.json").read_text())
                inventory = PlanInventory.from_json(json.loads((store / "plan.json").read_text()))
            else:
                inventory, meta = _plan_inventory_dir(inv_file, emulator, tmp_path_factory)
                (store / "plan.json").write_text(json.dumps(inventory.raw))
                (store / "meta.json").write_text(json.dumps(meta))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    plan = SharedPlan(meta["names"], inventory, Path(meta["tfdir"]), meta["network"])
    _PLANS[inv_file.key] = plan
    return plan


def _plan_inventory_dir(
    inv_file: InventoryFile, emulator: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> tuple[PlanInventory, dict[str, Any]]:
    names = {var: unique_name(prefix, max_len) for var, (prefix, max_len) in inv_file.unique_vars.items()}
    tmp = tmp_path_factory.mktemp("inventory")
    if inv_file.tfdir == PLATFORM_ROOT:
        from scripts.demo.steps import prepare_platform
        from tests.platform.support import network

        assert inv_file.var_file is not None
        env = inv_file.var_file.removesuffix(".tfvars")
        # The network lives as long as the plan: the tests that read this plan only compare its ids.
        with network(emulator) as net:
            ws = prepare_platform(env, emulator, tmp, net, {**inv_file.tf_vars, **names}).workspace
            inventory = ws.plan()
    else:
        net = None
        ws = example_workspace(inv_file.tfdir, emulator, tmp, var_file=inv_file.var_file)
        inventory = ws.plan({**inv_file.tf_vars, **names} or None)
    return inventory, {"names": names, "tfdir": str(ws.tfdir), "network": net}


def _substitute(value: Any, names: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        for var, actual in names.items():
            value = value.replace("{" + var + "}", actual)
        return value
    if isinstance(value, dict):
        return {k: _substitute(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, names) for v in value]
    return value
