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
