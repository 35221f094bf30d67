"""Rejected-input tables, checked in one ``terraform test`` process per table with a mocked provider.

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

The base inputs must plan cleanly under the mocks: the collector runs them as a case of their own,
so a mock that makes every plan fail cannot pass the table off as green.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.terraform.tf import REPO_ROOT, Workspace, scratch_copy
from tests.harness import normalise

TABLE_NAME = "rejected_inputs.toml"
GENERATED_DIR = "tests_rejected_generated"
BASE_CASE = "base-inputs-plan-cleanly"
_CASE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Case:
    id: str
    inputs: dict[str, Any]
    messages: tuple[str, ...]


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
        extra = set(raw) - {"id", "vars", "null", "unset", "messages"}
        if extra:
            raise ValueError(f"{where}: case {cid}: unknown keys {sorted(extra)}")
        messages = raw.get("messages")
        if not messages or not all(isinstance(m, str) and m.strip() for m in messages):
            raise ValueError(f"{where}: case {cid}: messages must list the words the error must say")
        inputs = {k: v for k, v in base.items() if k not in set(raw.get("unset", []))}
        inputs.update(raw.get("vars", {}))
        inputs.update({name: None for name in raw.get("null", [])})
        cases.append(Case(cid, inputs, tuple(messages)))
    return Table(path, config, data.get("mock", ""), tuple(cases), base)


def hcl_value(value: Any) -> str:
    """JSON is valid HCL expression syntax (objects may use ':'), and keeps every value exact."""
    return json.dumps(value)


def render(table: Table, case: Case) -> str:
    lines = ['mock_provider "aws" {']
    lines += [f"  {line}" if line.strip() else "" for line in table.mock.strip().splitlines()]
    lines += ["}", "", 'run "case" {', "  command = plan", ""]
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


def run_table(table: Table, dest_root: Path) -> dict[str, Outcome]:
    """Write one test file per case into a scratch copy and run them all in one ``terraform test``."""
    tfdir = scratch_copy(table.config, dest_root)
    gen = tfdir / GENERATED_DIR
    gen.mkdir()
    for case in table.cases:
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
