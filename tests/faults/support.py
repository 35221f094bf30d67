"""Shared by the fault tests: an emulator with a fault plan, and roots whose provider retries as a user's would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scripts.emulator import Emulator
from scripts.emulator.faults import FaultPlan
from scripts.emulator.override import write_override
from scripts.terraform.tf import Workspace, scratch_copy

# What a user sets for an apply that must ride out throttling (the suite's fast-fail setting is 2).
USER_MAX_RETRIES = 25


@contextmanager
def faulty_emulator(plan: FaultPlan) -> Iterator[Emulator]:
    """A second front door to the same in-process moto, with ``plan`` in front of it."""
    emu = Emulator(faults=plan)
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()


def retrying_workspace(
    relpath: str, emulator: Emulator, dest_root: Path, max_retries: int = USER_MAX_RETRIES
) -> Workspace:
    """A scratch copy of ``relpath`` on ``emulator`` with the provider's ``max_retries`` a user would set."""
    tfdir = scratch_copy(relpath, dest_root)
    write_override(tfdir, emulator.endpoint_url or "", emulator.region, max_retries=max_retries)
    return Workspace(tfdir, extra_env=emulator.env())
