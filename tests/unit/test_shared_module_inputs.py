"""Inputs several modules share are declared once, in modules/_shared/variables (ADR 0023).

A module takes a shared input through a relative symlink ``variables_<input>.tf`` to
``../_shared/variables/<input>.tf``. These tests keep that wiring honest: every link resolves to the
file of its own name, no module declares a shared input a second time in its own files (Terraform
would refuse the duplicate at init; the test names the file), and a module uses every input it links
(the shared files carry a tflint-ignore for terraform_unused_declarations, needed when their folder is
linted on its own, so that rule no longer watches the linked inputs).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scripts.terraform.tf import REPO_ROOT

MODULES_DIR = REPO_ROOT / "modules"
SHARED_DIR = MODULES_DIR / "_shared" / "variables"
LINK_PREFIX = "variables_"
_VARIABLE = re.compile(r'^variable\s+"([^"]+)"', re.MULTILINE)

SHARED_FILES = sorted(p for p in SHARED_DIR.glob("*.tf") if _VARIABLE.search(p.read_text()))
SHARED_INPUTS = {p.stem for p in SHARED_FILES}
# Modules are the folders under modules/ that are not the shared folders (_shared, _fixtures).
MODULES = sorted(p for p in MODULES_DIR.iterdir() if p.is_dir() and not p.name.startswith("_"))


def links(module: Path) -> list[Path]:
    return sorted(module.glob(f"{LINK_PREFIX}*.tf"))


def own_files(module: Path) -> list[Path]:
    """The module's .tf files that are its own (not links to shared inputs)."""
    return [p for p in sorted(module.glob("*.tf")) if not p.is_symlink()]


def test_there_are_shared_inputs():
    # Guards the tests below against passing on an empty or moved folder.
    assert {"tags", "vpc_id"} <= SHARED_INPUTS, f"no shared inputs found in {SHARED_DIR}"


@pytest.mark.parametrize("shared", SHARED_FILES, ids=[p.stem for p in SHARED_FILES])
def test_a_shared_file_declares_the_one_input_it_is_named_after(shared):
    assert _VARIABLE.findall(shared.read_text()) == [shared.stem], (
        f"{shared.relative_to(REPO_ROOT)} must declare exactly variable {shared.stem!r}"
    )


@pytest.mark.parametrize("shared", SHARED_FILES, ids=[p.stem for p in SHARED_FILES])
def test_a_shared_input_is_shared(shared):
    users = [m.name for m in MODULES if (m / f"{LINK_PREFIX}{shared.stem}.tf").is_symlink()]
    assert len(users) >= 2, f"{shared.stem} is linked by {users or 'no module'}: a rule of one module belongs in it"


def link_problems(module: Path, shared_dir: Path = SHARED_DIR) -> list[str]:
    problems = []
    for link in links(module):
        rel = f"{module.name}/{link.name}"
        input_name = link.stem.removeprefix(LINK_PREFIX)
        expected = f"../{shared_dir.parent.name}/{shared_dir.name}/{input_name}.tf"
        if not link.is_symlink():
            # A checkout without symlink support (Windows, core.symlinks=false) writes the target
            # path as the file's text: Terraform would fail to parse it.
            problems.append(f"{rel} is not a symlink (expected a link to {expected})")
        elif (target := link.readlink().as_posix()) != expected:
            problems.append(f"{rel} points to {target!r}, expected {expected!r}")
        elif not link.resolve().is_file():
            problems.append(f"{rel} -> {expected} does not resolve")
    return problems


def duplicate_problems(module: Path, inputs: set[str]) -> list[str]:
    problems = []
    for tf in own_files(module):
        for name in _VARIABLE.findall(tf.read_text()):
            if name in inputs:
                problems.append(
                    f"{module.name}/{tf.name} declares {name!r}, a shared input: link "
                    f"{LINK_PREFIX}{name}.tf -> ../_shared/variables/{name}.tf instead"
                )
    return problems


def unused_links(module: Path) -> list[str]:
    source = "\n".join(tf.read_text() for tf in own_files(module))
    return [
        link.name
        for link in links(module)
        if not re.search(rf"\bvar\.{re.escape(link.stem.removeprefix(LINK_PREFIX))}\b", source)
    ]


@pytest.mark.parametrize("module", MODULES, ids=[m.name for m in MODULES])
def test_every_variables_link_resolves_into_the_shared_folder(module):
    assert not link_problems(module)


@pytest.mark.parametrize("module", MODULES, ids=[m.name for m in MODULES])
def test_no_module_declares_a_shared_input_itself(module):
    assert not duplicate_problems(module, SHARED_INPUTS)


@pytest.mark.parametrize("module", MODULES, ids=[m.name for m in MODULES])
def test_a_module_uses_every_shared_input_it_links(module):
    assert not unused_links(module), f"{module.name} links inputs it never reads"


def test_the_checks_catch_a_copy_a_broken_link_and_an_unused_input(tmp_path):
    # The checks above on a module built to break each of them, so a check that stopped matching shows.
    shared = tmp_path / "_shared" / "variables"
    shared.mkdir(parents=True)
    (shared / "tags.tf").write_text('variable "tags" {\n  type = map(string)\n}\n')
    module = tmp_path / "m"
    module.mkdir()
    (module / "variables.tf").write_text('variable "tags" {\n  type = map(string)\n}\n')
    (module / "variables_tags.tf").symlink_to("../_shared/variables/tags.tf")
    (module / "variables_vpc_id.tf").symlink_to("../_shared/variables/vpc_id.tf")
    (module / "variables_name.tf").write_text("../_shared/variables/name.tf")
    (module / "variables_region.tf").symlink_to("../../_shared/variables/tags.tf")

    assert link_problems(module, shared) == [
        "m/variables_name.tf is not a symlink (expected a link to ../_shared/variables/name.tf)",
        "m/variables_region.tf points to '../../_shared/variables/tags.tf', expected '../_shared/variables/region.tf'",
        "m/variables_vpc_id.tf -> ../_shared/variables/vpc_id.tf does not resolve",
    ]
    assert duplicate_problems(module, {"tags"}) == [
        "m/variables.tf declares 'tags', a shared input: link variables_tags.tf -> ../_shared/variables/tags.tf instead"
    ]
    (module / "main.tf").write_text('output "t" {\n  value = var.tags\n}\n')
    assert unused_links(module) == ["variables_name.tf", "variables_region.tf", "variables_vpc_id.tf"]
