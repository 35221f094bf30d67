"""Session fixtures: the real toolchain (or a failure that says how to get it) and the emulator.

Each xdist worker runs its own embedded moto on a free loopback port, so workers never share
emulated state. The plugin cache is filled once, under a machine-wide lock, before any worker inits.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from scripts.emulator import Emulator, EmulatorError
from scripts.emulator.recorder import CallBus
from scripts.terraform.tf import warm_plugin_cache
from scripts.terraform.toolchain import Toolchain, ToolchainError, toolchain


def pytest_configure(config: pytest.Config) -> None:
    # The controller warms the cache before xdist starts workers; workers find it warm.
    # A missing toolchain is reported by the `tc` fixture of every test that needs it, with the fix;
    # failing here would hide that message behind a collection error.
    if not hasattr(config, "workerinput"):
        with contextlib.suppress(ToolchainError):
            warm_plugin_cache()


# The files whose tests form the longest chains on one worker, longest first (a full run's durations:
# the whole-platform apply and its IAM proof ~23 min, the rds example with its restore ~11 min, ...).
# `--dist loadfile` hands files to workers in collection order, so a long chain collected last
# started after everything else and set the suite's length; collected first, it runs alongside the rest.
LONGEST_FIRST = (
    "tests/platform/test_platform_apply.py",
    "tests/modules/test_rds_apply.py",
    "tests/faults/test_fault_convergence.py",
    "tests/faults/test_interrupted_apply.py",
    "tests/modules/test_ecs_service_apply_api.py",
    "tests/modules/test_bootstrap_apply.py",
    "tests/platform/test_fixtures_and_demo.py",
    "tests/modules/test_ecs_service_apply_worker.py",
    "tests/modules/test_private_s3_apply.py",
    "tests/modules/test_cloudwatch_alarms_apply.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    # sort is stable: the rest keep their order, and every worker computes the same one.
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


@pytest.fixture(scope="session")
def tc() -> Toolchain:
    """The real Terraform + AWS provider. Missing pieces fail the test with the fix, never skip it."""
    try:
        resolved = toolchain()
        warm_plugin_cache()
    except ToolchainError as exc:
        pytest.fail(f"{exc} (run `make tools`; see README.md, 'Toolchain')", pytrace=False)
    return resolved


@pytest.fixture(scope="session")
def call_bus() -> CallBus:
    """Every signed request the embedded emulator serves, for whoever subscribes (the IAM proof)."""
    return CallBus()


@pytest.fixture(scope="session")
def emulator(tc: Toolchain, call_bus: CallBus) -> Iterator[Emulator]:
    emu = Emulator.from_env()
    emu.on_call = call_bus
    try:
        emu.start()
    except EmulatorError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield emu
    emu.stop()


@pytest.fixture(scope="session")
def aws(emulator: Emulator) -> Callable[..., Any]:
    """boto3 client factory bound to the emulator: ``aws("s3").list_buckets()``."""
    return emulator.client
