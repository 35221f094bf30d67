"""The bridge to the IAM policy evaluator: @cloud-copilot/iam-simulate and iam-data, run by Node.

A hand-written evaluator would be one more thing to prove. iam-simulate implements AWS's evaluation
logic (explicit deny, NotAction/NotResource, wildcards, every condition operator with IfExists and
ForAnyValue/ForAllValues, permissions boundaries, resource policies with the KMS and trust-policy
rules) and says which statement decided; docs/adr/0016-iam-proof.md records why it was chosen. It is
AGPL-3.0 and used only at test time: nothing the platform deploys contains it.

One Node process evaluates a whole batch: starting Node costs far more than an evaluation.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from scripts.errors import PlatformError

TOOL_DIR = Path(__file__).resolve().parents[2] / "tools" / "iam-simulate"
SCRIPT = TOOL_DIR / "evaluate.mjs"


class EvaluatorError(PlatformError):
    """The evaluator is not installed or failed; the message says how to fix it."""


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise EvaluatorError("node is not on PATH: the IAM proof needs Node.js >= 20 (`make tools` installs the rest)")
    if not (TOOL_DIR / "node_modules" / "@cloud-copilot" / "iam-simulate").is_dir():
        raise EvaluatorError(f"the IAM evaluator is not installed: run `make tools` (npm ci in {TOOL_DIR})")
    return node


def _run(mode: str, payload: dict[str, Any]) -> dict[str, Any]:
    try:
        done = subprocess.run(
            [_node(), str(SCRIPT), mode],
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise EvaluatorError(f"the IAM evaluator did not answer within {exc.timeout} s") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise EvaluatorError(f"the IAM evaluator failed ({mode}): {last}")
    return dict(json.loads(done.stdout))


def describe(actions: set[str]) -> dict[str, dict[str, Any] | None]:
    """IAM service reference data (resource types with ARN formats) for each action; None if unknown."""
    return _describe(tuple(sorted(actions)))


@functools.cache
def _describe(actions: tuple[str, ...]) -> dict[str, dict[str, Any] | None]:
    return dict(_run("describe", {"actions": list(actions)})["actions"])


def simulate(simulations: list[dict[str, Any]], unchecked: bool | list[bool] = False) -> list[dict[str, Any]]:
    """Results in the order given: {result: Allowed|ImplicitlyDenied|ExplicitlyDenied|Error, ...}.

    ``unchecked`` (for all, or per simulation): evaluate without iam-simulate's request validation,
    which filters the context to the keys iam-data lists for the action and checks the resource
    against iam-data's types: for trust policies (the token's claims are the context) and for the
    actions whose iam-data entry is wrong (``scripts.iam.proof.ELBV2_RESOURCE_TYPES``).
    """
    if not simulations:
        return []
    flags = unchecked if isinstance(unchecked, list) else [unchecked] * len(simulations)
    payload = {
        "simulations": [
            {"id": i, "simulation": s, "unchecked": flag}
            for i, (s, flag) in enumerate(zip(simulations, flags, strict=True))
        ]
    }
    results = _run("simulate", payload)["results"]
    return [r for r in sorted(results, key=lambda r: r["id"])]


def expand(patterns: set[str]) -> dict[str, list[dict[str, str]] | None]:
    """Every action each policy action pattern grants, with its access level (None: unknown service)."""
    return dict(_run("expand", {"patterns": sorted(patterns)})["actions"])
