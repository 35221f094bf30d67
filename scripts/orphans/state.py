"""What Terraform state knows: for each managed resource type, the identifiers its instances answer to."""

from __future__ import annotations

import json
import os
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.errors import UsageError

# Attributes that identify a resource by themselves (the import ID of most types is one of them).
_IDENTITY = ("id", "arn", "name", "url", "bucket", "key_id", "alias")


def _last(value: Any) -> str:
    return str(value).rsplit("/", 1)[-1]


def state_keys(rtype: str, attrs: dict[str, Any]) -> set[str]:
    """Every identifier of one instance, including the composite import IDs computed like the finder's."""
    keys = {str(attrs[k]) for k in _IDENTITY if isinstance(attrs.get(k), str) and attrs[k]}
    if rtype == "aws_iam_role_policy_attachment":
        keys.add(f"{attrs.get('role')}/{attrs.get('policy_arn')}")
    elif rtype == "aws_ecs_service":
        keys.add(f"{_last(attrs.get('cluster'))}/{attrs.get('name')}")
    elif rtype == "aws_wafv2_web_acl":
        keys.add(f"{attrs.get('id')}/{attrs.get('name')}/{attrs.get('scope')}")
    elif rtype in ("aws_appautoscaling_target", "aws_appautoscaling_policy", "aws_appautoscaling_scheduled_action"):
        base = f"{attrs.get('service_namespace')}/{attrs.get('resource_id')}/{attrs.get('scalable_dimension')}"
        keys.add(base if rtype == "aws_appautoscaling_target" else f"{base}/{attrs.get('name')}")
    return keys


@dataclass
class StateIndex:
    """Identifiers per resource type, and every address (for the report)."""

    keys: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    addresses: list[str] = field(default_factory=list)

    def knows(self, rtype: str | None, *identifiers: str) -> bool:
        if rtype is None:
            pool = set().union(*self.keys.values()) if self.keys else set()
        else:
            pool = self.keys.get(rtype, set())
        return any(i and i in pool for i in identifiers)

    @classmethod
    def from_state(cls, state: dict[str, Any], source: str) -> StateIndex:
        if not isinstance(state, dict) or "resources" not in state or "version" not in state:
            raise UsageError(f"{source} is not a Terraform state (expected the JSON of `terraform state pull`)")
        index = cls()
        for res in state["resources"]:
            if res.get("mode") != "managed":
                continue
            prefix = f"{res['module']}." if res.get("module") else ""
            for inst in res.get("instances", []):
                key = inst.get("index_key")
                suffix = "" if key is None else f"[{json.dumps(key)}]"
                index.addresses.append(f"{prefix}{res['type']}.{res['name']}{suffix}")
                index.keys[res["type"]] |= state_keys(res["type"], inst.get("attributes") or {})
        return index


def load_state(path: Path) -> StateIndex:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise UsageError(f"cannot read Terraform state {path}: {reason}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is not a Terraform state: invalid JSON ({exc.msg} at line {exc.lineno})") from exc
    return StateIndex.from_state(data, str(path))


def pull_state(env: str, workdir: Path) -> StateIndex:
    """``terraform state pull`` of the environment's backend: terraform/environments/<env>.s3.tfbackend
    with the account's state bucket and KMS key from STATE_BUCKET / STATE_KMS_KEY_ARN (scripts.terraform.backend)."""
    from scripts.terraform.backend import backend_config
    from scripts.terraform.tf import REPO_ROOT, Workspace, scratch_copy

    tfdir = scratch_copy("terraform", workdir)
    ws = Workspace(tfdir)  # a missing terraform is reported first, as by every command
    ws.run("init", "-input=false", *backend_config(env, os.environ, REPO_ROOT))
    raw = ws.run("state", "pull").out
    shutil.rmtree(tfdir / ".terraform", ignore_errors=True)
    try:
        data = json.loads(raw) if raw.strip() else {"version": 4, "resources": []}
    except json.JSONDecodeError as exc:
        raise UsageError(f"`terraform state pull` for {env} did not return JSON: {exc.msg}") from exc
    return StateIndex.from_state(data, f"the {env} state")
