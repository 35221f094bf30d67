"""Rejected-input tables, checked in one ``terraform test`` process per table (or slice of one) with a
mocked provider.

A table (``<terraform dir>/tests/rejected_inputs.toml``) holds the inputs a configuration must refuse
and the words its error must say. Each case becomes a test file of its own with one ``plan`` run
against ``mock_provider "aws"``: Terraform evaluates the variable validations, preconditions and
checks without calling AWS or the emulator, and every file of a table runs in one Terraform process
(one provider start for the schema, instead of one emulator plan per case).

Why a file per case, and no ``expect_failures``: ``expect_failures`` would pass a run that fails for
the wrong reason (it names the checkable object, not the message), and it swallows the diagnostic
this project asserts on; and within one test file, a failed run skips every later run.
https://developer.hashicorp.com/terraform/language/tests#expecting-failures
https://developer.hashicorp.com/terraform/language/tests/mocking

Table format::

    config = "modules/private-s3"          # the Terraform directory under test
    mock = '''mock_data "aws_iam_policy_document" { defaults = { json = "{}" } }'''   # optional
    [base]                                  # inputs that pass every rule
    bucket_name = "imgclass-inputs-test"

    [[case]]
    id = "bucket-name-uppercase"
    vars = { bucket_name = "Uploads" }      # merged over base
    null = ["kms_key_arn"]                  # optional: inputs set to null (TOML has no null)
    unset = ["tags"]                        # optional: base inputs left out
    messages = ["bucket_name must be 3-63 characters"]
    override = '''override_data { ... }'''  # optional: this case's lookups (see below)
    files = { "terraform.tfvars" = "..." }  # optional: files this case adds to the configuration
    errors = 1                              # optional: exactly this many error diagnostics

``override``: HCL (``override_data`` / ``override_resource`` blocks) written inside this case's
``run`` block only. The mocking page places override blocks at file level, in ``mock_provider`` and
in ``run`` blocks, a run's own override taking precedence over the file's; the table's ``mock`` sits
in ``mock_provider``, and a case's override of the same address wins over it too. That precedence is
not taken on trust: a case whose override does not take effect plans like the base inputs, passes,
and the collector fails it saying so.

``files``: written into a copy of the configuration of their own, for this case alone, since every
other case of the table shares one copy and would see them; the case then runs in a ``terraform
test`` process of its own (one more provider start, for a file the configuration must notice).

The base inputs must plan cleanly under the mocks: the collector runs them as a case of their own,
so a mock that makes every plan fail cannot pass the table off as green.

Spreading: ``--dist loadfile`` (the suite's mode, Makefile) schedules a test module as one unit, so
the tables are spread over several collector modules, ``tests/modules/test_rejected_inputs_<name>.py``,
each running the tables (or slices of a table, ``"terraform:2/3"``) that ``SHARDS`` gives it.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from scripts.terraform.tf import REPO_ROOT, Workspace, scratch_copy
from tests.harness import normalise

TABLE_NAME = "rejected_inputs.toml"
GENERATED_DIR = "tests_rejected_generated"
BASE_CASE = "base-inputs-plan-cleanly"
_CASE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_CASE_KEYS = {"id", "vars", "null", "unset", "messages", "override", "files", "errors"}

# Which collector module runs which tables. Each entry is one module, tests/modules/
# test_rejected_inputs_<name>.py, and so one unit of `--dist loadfile` (tests/conftest.py, Makefile):
# the tables then run on as many workers as there are entries, instead of one after another on one.
# "<config>:<k>/<n>" is the k-th of n slices of a table's cases (contiguous, in table order; the base
# case runs in the first): the root's cases each cost a whole-root plan, so its table is sliced.
# Measured (2 cores, `-n 2 --dist loadfile`, see ADR 0021): each entry takes about a minute of one worker.
SHARDS: dict[str, tuple[str, ...]] = {
    "root_1": ("terraform:1/3",),
    "root_2": ("terraform:2/3",),
    "root_3": ("terraform:3/3",),
    "data": ("modules/rds-postgres", "modules/rds-proxy", "terraform/bootstrap"),
    "services": ("modules/ecs-service", "modules/cloudwatch-alarms", "modules/alb"),
    "storage": ("modules/private-s3", "modules/kms-key", "modules/ecs-cluster"),
}


@dataclass(frozen=True)
class Case:
    id: str
    inputs: dict[str, Any]
    messages: tuple[str, ...]
    override: str = ""
    files: dict[str, str] = field(default_factory=dict)
    errors: int | None = None


@dataclass(frozen=True)
class Table:
    path: Path
    config: str
    mock: str
    cases: tuple[Case, ...]
    base: dict[str, Any] = field(default_factory=dict)


def tables() -> list[Path]:
    """Every table in the repository, in a stable order."""
    found = [*REPO_ROOT.glob(f"modules/*/tests/{TABLE_NAME}"), *REPO_ROOT.glob(f"terraform/**/tests/{TABLE_NAME}")]
    return sorted(p for p in found if ".terraform" not in p.parts)


def _files(where: object, cid: str, raw: object) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise ValueError(f"{where}: case {cid}: files must map relative paths to file contents")
    for name in raw:
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts or not path.parts:
            raise ValueError(f"{where}: case {cid}: file {name!r} must be a relative path inside the configuration")
    return dict(raw)


def load(path: Path) -> Table:
    """Read and check a table; a malformed one fails with the file and the case named."""
    data = tomllib.loads(path.read_text())
    where = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
    unknown = set(data) - {"config", "mock", "base", "case"}
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    config = data.get("config")
    if not isinstance(config, str) or not (REPO_ROOT / config).is_dir():
        raise ValueError(f"{where}: config must name a Terraform directory of the repository")
    base = dict(data.get("base", {}))
    cases: list[Case] = [Case(BASE_CASE, base, ())]
    seen = {BASE_CASE}
    for raw in data.get("case", []):
        cid = raw.get("id", "")
        if not _CASE_ID.match(cid) or cid in seen:
            raise ValueError(f"{where}: case id {cid!r} is missing, repeated or not lowercase-dashed")
        seen.add(cid)
        extra = set(raw) - _CASE_KEYS
        if extra:
            raise ValueError(f"{where}: case {cid}: unknown keys {sorted(extra)}")
        messages = raw.get("messages")
        if not messages or not all(isinstance(m, str) and m.strip() for m in messages):
            raise ValueError(f"{where}: case {cid}: messages must list the words the error must say")
        override = raw.get("override", "")
        if not isinstance(override, str) or ("override" in raw and not override.strip()):
            raise ValueError(f"{where}: case {cid}: override must be HCL override blocks")
        errors = raw.get("errors")
        if errors is not None and (not isinstance(errors, int) or isinstance(errors, bool) or errors < 1):
            raise ValueError(f"{where}: case {cid}: errors must be a whole number of at least 1")
        inputs = {k: v for k, v in base.items() if k not in set(raw.get("unset", []))}
        inputs.update(raw.get("vars", {}))
        inputs.update({name: None for name in raw.get("null", [])})
        files = _files(where, cid, raw["files"]) if "files" in raw else {}
        cases.append(Case(cid, inputs, tuple(messages), override, files, errors))
    return Table(path, config, data.get("mock", ""), tuple(cases), base)


def hcl_value(value: Any) -> str:
    """JSON is valid HCL expression syntax (objects may use ':'), and keeps every value exact."""
    return json.dumps(value)


def _indented(hcl: str) -> list[str]:
    return [f"  {line}" if line.strip() else "" for line in hcl.strip().splitlines()]


def render(table: Table, case: Case) -> str:
    lines = ['mock_provider "aws" {', *_indented(table.mock), "}", "", 'run "case" {', "  command = plan", ""]
    if case.override:
        # Inside the run: this case's lookups only, ahead of the table's mock (module docstring).
        lines += [*_indented(case.override), ""]
    if case.inputs:
        lines.append("  variables {")
        lines += [f"    {name} = {hcl_value(value)}" for name, value in sorted(case.inputs.items())]
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


@dataclass
class Outcome:
    status: str  # pass | fail | error, as terraform test reports the file
    errors: list[str]

    def text(self) -> str:
        return normalise("\n".join(self.errors))


def verdict(case: Case, got: Outcome | None, table: str = "") -> str | None:
    """Why a case's outcome is wrong, in one readable sentence; None when it is right."""
    if got is None:
        return f"terraform test reported nothing for {case.id}"
    if case.id == BASE_CASE:
        return None if got.status == "pass" else f"the base inputs of {table} do not plan cleanly: {got.text()}"
    # A refused variable is an "error" of the run, a failed check or precondition a "fail".
    if got.status not in {"fail", "error"}:
        why = f"{case.id}: expected a refused plan, terraform test says {got.status!r}"
        if case.override and got.status == "pass":
            why += (
                ": its override did not take effect (the plan read the table's mocks instead);"
                " check each override target's address against the configuration's data sources"
            )
        return why
    text = got.text()
    missing = [m for m in case.messages if normalise(m) not in text]
    if missing:
        return f"{case.id}: the error lacks {missing!r}; it says: {text[-3000:]}"
    if case.errors is not None and len(got.errors) != case.errors:
        return f"{case.id}: expected exactly {case.errors} error(s), got {len(got.errors)}: {text[-3000:]}"
    return None


def _run(table: Table, cases: Iterable[Case], dest_root: Path, files: dict[str, str]) -> dict[str, Outcome]:
    tfdir = scratch_copy(table.config, dest_root)
    for name, content in files.items():
        target = tfdir / name
        if target.exists():
            raise ValueError(f"{table.path}: a case's file {name} would replace {table.config}/{name}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    gen = tfdir / GENERATED_DIR
    gen.mkdir()
    for case in cases:
        (gen / f"{case.id}.tftest.hcl").write_text(render(table, case))
    ws = Workspace(tfdir)
    # A backend block is ignored by terraform test (state stays in memory), so none is configured.
    ws.init(backend=False)
    result = ws.run("test", "-json", f"-test-directory={GENERATED_DIR}", ok_codes=(0, 1))
    outcomes: dict[str, Outcome] = {}
    stray: list[str] = []
    for line in (result.out or "").splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        testfile = event.get("@testfile") or ""
        case_id = Path(testfile).name.removesuffix(".tftest.hcl") if testfile else ""
        if event.get("type") == "test_file" and case_id:
            status = (event.get("test_file") or {}).get("status")
            if status in {"pass", "fail", "error", "skip"}:
                outcomes.setdefault(case_id, Outcome("", [])).status = status
        elif event.get("type") == "diagnostic" and event.get("@level") == "error":
            diag = event.get("diagnostic") or {}
            text = f"{diag.get('summary', '')}: {diag.get('detail', '')}"
            if case_id:
                outcomes.setdefault(case_id, Outcome("", [])).errors.append(text)
            else:
                stray.append(text)
    if stray or not outcomes:
        # An error outside every test file (a broken mock, a module that does not load) fails them all.
        raise RuntimeError(
            f"terraform test of {table.config} failed outside the cases: "
            + normalise("; ".join(stray) or (result.err or result.out or "no output")[-2000:])
        )
    return outcomes


def run_table(table: Table, dest_root: Path, cases: Iterable[Case] | None = None) -> dict[str, Outcome]:
    """Run ``cases`` (default: the whole table) in one ``terraform test`` over a scratch copy; each case
    with ``files`` in a copy and a process of its own."""
    chosen = tuple(table.cases if cases is None else cases)
    shared = [case for case in chosen if not case.files]
    outcomes = _run(table, shared, dest_root, {}) if shared else {}
    for case in chosen:
        if case.files:
            outcomes.update(_run(table, [case], dest_root / f"files-{case.id}", case.files))
    return outcomes


# --- Spreading the tables over collector modules ------------------------------------------------


def part(table: Table, k: int, n: int) -> tuple[Case, ...]:
    """The k-th (1-based) of n contiguous, near-equal slices of a table's cases."""
    if not 1 <= k <= n:
        raise ValueError(f"slice {k}/{n} of {table.config} does not exist")
    size, extra = divmod(len(table.cases), n)
    start = (k - 1) * size + min(k - 1, extra)
    return table.cases[start : start + size + (1 if k <= extra else 0)]


_SELECTOR = re.compile(r"^(?P<config>[^:]+)(?::(?P<k>\d+)/(?P<n>\d+))?$")


def select(name: str, loaded: dict[str, Table]) -> list[tuple[str, Table, tuple[Case, ...]]]:
    """The (label, table, cases) a collector module runs: one ``terraform test`` per label."""
    chosen = []
    for selector in SHARDS[name]:
        m = _SELECTOR.match(selector)
        table = loaded.get(m["config"]) if m else None
        if m is None or table is None:
            raise ValueError(f"SHARDS[{name!r}]: {selector!r} names no table (config[:k/n])")
        cases = part(table, int(m["k"]), int(m["n"])) if m["k"] else table.cases
        chosen.append((selector, table, cases))
    return chosen


def load_all() -> dict[str, Table]:
    """Every table, by its config directory."""
    return {table.config: table for table in map(load, tables())}


def collector(name: str) -> tuple[Callable[..., Any], Callable[..., None]]:
    """The module-scoped fixture and the parametrized test of collector module ``name`` (SHARDS)."""
    chosen = select(name, load_all())
    params = [
        pytest.param(label, case, id=f"{table.config}::{case.id}") for label, table, cases in chosen for case in cases
    ]
    by_label = {label: (table, cases) for label, table, cases in chosen}

    @pytest.fixture(scope="module")
    def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], dict[str, Outcome]]:
        """Run each table (or slice) once, on first use; its later cases read the cached outcome."""
        cache: dict[str, dict[str, Outcome]] = {}

        def get(label: str) -> dict[str, Outcome]:
            if label not in cache:
                table, cases = by_label[label]
                dest = tmp_path_factory.mktemp(Path(table.config).name)
                cache[label] = run_table(table, dest, cases)
            return cache[label]

        return get

    @pytest.mark.parametrize(("label", "case"), params)
    def test_case(outcomes: Callable[[str], dict[str, Outcome]], label: str, case: Case) -> None:
        problem = verdict(case, outcomes(label).get(case.id), by_label[label][0].config)
        if problem:
            pytest.fail(problem, pytrace=False)

    return outcomes, test_case
