"""``python -m scripts`` in a fresh process, as a person or a workflow types it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from scripts.terraform.tf import REPO_ROOT


def run_cli(
    *argv: object,
    unset: Iterable[str] = (),
    unset_prefixes: Iterable[str] = (),
    env: Mapping[str, str] | None = None,
    cwd: Path = REPO_ROOT,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """The CLI's exit code and output, never raising on a non-zero exit.

    The environment is this process's minus the names in ``unset`` and those starting with one of
    ``unset_prefixes`` (what the harness set for in-process tests, so the child starts as a user's
    shell would), plus ``env``."""
    names, prefixes = set(unset), tuple(unset_prefixes)
    environ = {k: v for k, v in os.environ.items() if k not in names and not (prefixes and k.startswith(prefixes))}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "scripts", *map(str, argv)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environ,
        check=False,
        timeout=timeout,
    )
