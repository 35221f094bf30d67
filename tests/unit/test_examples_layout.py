"""Every module example stands on the one shared harness, linked, never copied (ADR 0022).

The harness, modules/_fixtures/example/providers.tf, holds the versions, the provider with its default
tags and the name and region inputs of every example; each example links it as providers.tf. A copy
would drift from the others unseen, and a link that does not resolve breaks the example only where
it runs. The tools copy the tree without links (scripts.terraform.tf.scratch_copy): the copy must be
the harness's text, and the emulator override must find its provider there.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scripts.emulator.override import provider_aliases
from scripts.terraform.tf import REPO_ROOT, scratch_copy
from tests.support.links import link_problem

HARNESS = REPO_ROOT / "modules" / "_fixtures" / "example" / "providers.tf"
LINK_NAME = "providers.tf"
EXAMPLES = sorted(p for p in REPO_ROOT.glob("modules/*/examples/*") if p.is_dir())
IDS = [p.relative_to(REPO_ROOT / "modules").as_posix() for p in EXAMPLES]
# What only the harness may declare: a second declaration in an example is a copy of it (Terraform
# would refuse a duplicate variable anyway; a provider or terraform block it would merge silently).
HARNESS_BLOCKS = re.compile(r'^(provider\s+"aws"|terraform\s*\{|variable\s+"(name|region)")', re.MULTILINE)


def test_there_are_examples_and_a_harness():
    assert len(EXAMPLES) >= 8, f"expected the module examples under modules/*/examples/, found {IDS}"
    assert HARNESS.is_file() and not HARNESS.is_symlink()
    assert HARNESS_BLOCKS.findall(HARNESS.read_text())


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_example_links_the_harness_relatively(example: Path):
    problem = link_problem(example / LINK_NAME, HARNESS)
    assert problem is None, problem


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_example_declares_nothing_the_harness_does(example: Path):
    found = {
        tf.name: [m.group(1) for m in HARNESS_BLOCKS.finditer(tf.read_text())]
        for tf in sorted(example.glob("*.tf"))
        if not tf.is_symlink()
    }
    assert not {name: blocks for name, blocks in found.items() if blocks}


def test_a_scratch_copy_holds_the_harness_text_and_the_override_finds_its_provider(tmp_path: Path):
    example = EXAMPLES[0].relative_to(REPO_ROOT)
    copied = scratch_copy(example, tmp_path) / LINK_NAME
    assert copied.is_file() and not copied.is_symlink()
    assert copied.read_text() == HARNESS.read_text()
    # One default provider "aws": write_override then writes an override, not a second provider.
    assert provider_aliases(copied.parent) == [None]
