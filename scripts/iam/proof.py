"""Record what a role's Terraform run asks of AWS and judge every call against the role's policies.

``CallLog`` is the emulator's ``on_call`` sink: it keeps the calls made with assumed-role sessions,
each already turned into the IAM requests AWS would evaluate (``scripts.iam.requests``). ``judge``
then evaluates them all in one batch with the real evaluator and returns a ``Verdict`` per role:
calls evaluated, allowed, denied (with the action, the resource ARN and the deciding or missing
statement) and unresolved (a call the mapping could not turn into IAM requests: never allowed by
default). ``report_lines`` is what ``python -m scripts iam-check`` and the tests print.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from scripts.emulator.recorder import Call
from scripts.iam import evaluator
from scripts.iam.requests import Intent, intents_for, policies_of
from scripts.iam.view import MotoView


@dataclass
class Record:
    call: Call
    role_arn: str
    phase: str
    intents: list[Intent] = field(default_factory=list)
    error: str = ""


class CallLog:
    """Collects the calls of assumed-role sessions while the emulator serves them."""

    def __init__(self, account_id: str = "123456789012", region: str = "eu-west-1") -> None:
        self.view = MotoView(account_id, region)
        self.records: list[Record] = []
        self.phase = "setup"
        self._lock = threading.Lock()

    def __call__(self, call: Call) -> None:
        try:
            role = self.view.principal_of(call.access_key)
        except Exception:
            role = None
        if role is None:
            return
        record = Record(call, role, self.phase)
        if call.operation == "?":
            record.error = call.extra.get("identify_error", "the request matched no operation")
        else:
            try:
                view = MotoView(self.view.account_id, call.region, self.view.bucket_policies)
                record.intents = intents_for(call, view)
            except Exception as exc:
                record.error = f"{type(exc).__name__}: {exc}"
        with self._lock:
            self.records.append(record)

    def of_role(self, role_arn: str, phases: set[str] | None = None) -> list[Record]:
        return [r for r in self.records if r.role_arn == role_arn and (phases is None or r.phase in phases)]


@dataclass(frozen=True)
class Denial:
    action: str
    resource: str
    operation: str
    phase: str
    reason: str
    why: str

    def line(self) -> str:
        implied = "" if self.why == "the call itself" else f", needed for {self.why}"
        return f"DENIED {self.action} on {self.resource} ({self.operation} during {self.phase}{implied}): {self.reason}"


@dataclass
class Verdict:
    role_arn: str
    calls: int = 0
    evaluations: int = 0
    allowed: int = 0
    denials: list[Denial] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.denials and not self.unresolved

    def summary(self) -> str:
        return (
            f"{self.role_arn.rsplit('/', 1)[-1]}: {self.calls} calls, {self.evaluations} evaluations, "
            f"{self.allowed} allowed, {len(self.denials)} denied, {len(self.unresolved)} unresolved"
        )


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\$\{[A-Za-z]+\})", template)
    out = []
    for part in parts:
        if part in ("${Partition}",):
            out.append("aws")
        elif part in ("${Region}", "${Account}"):
            out.append("[^:]*")
        elif part.startswith("${"):
            out.append(".+")
        else:
            out.append(re.escape(part))
    return re.compile("^" + "".join(out) + "$")


# iam-data keeps one entry per action name, and Elastic Load Balancing's classic and V2 references
# share the prefix: its elasticloadbalancing actions carry the classic resource types. The V2 types:
# https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html
ELBV2_RESOURCE_TYPES = [
    {"name": f, "required": False, "arn": f"arn:${{Partition}}:elasticloadbalancing:${{Region}}:${{Account}}:{t}"}
    for f, t in (
        ("loadbalancer/app/", "loadbalancer/app/${LoadBalancerName}/${LoadBalancerId}"),
        ("listener/app", "listener/app/${LoadBalancerName}/${LoadBalancerId}/${ListenerId}"),
        (
            "listener-rule/app",
            "listener-rule/app/${LoadBalancerName}/${LoadBalancerId}/${ListenerId}/${ListenerRuleId}",
        ),
        ("targetgroup", "targetgroup/${TargetGroupName}/${TargetGroupId}"),
    )
]


def _elbv2(action: str) -> bool:
    return action.startswith("elasticloadbalancing:") and not action.split(":")[1].startswith("Describe")


def resource_types(action: str, meta: dict[str, Any]) -> list[dict[str, Any]]:
    return ELBV2_RESOURCE_TYPES if _elbv2(action) else list(meta.get("resourceTypes") or [])


def concrete(arn: str) -> str:
    """The ARN of a resource a create call makes, with a placeholder for the id AWS will generate:
    a policy scoped to ``security-group/*`` matches it, one naming a specific group does not."""
    if arn == "*":
        return arn
    return arn.replace("??????", "NeWrEs").replace("*", "new")


def targets(action: str, meta: dict[str, Any], arns: list[str]) -> tuple[list[str], str]:
    """ARNs to evaluate an action on, or ([], reason) when no required resource was resolved.

    The reference marks alternatives as required each (``listener/app`` and ``listener/net`` for
    CreateRule; ``cluster`` and ``db`` for proxy targets): one of them must be resolved.
    """
    types = resource_types(action, meta)
    if not types:
        return ["*"], ""
    chosen: list[str] = []
    required_matched = False
    for rtype in types:
        pattern = _template_regex(rtype["arn"])
        matched = [a for a in arns if pattern.match(a)]
        required_matched |= bool(rtype["required"] and matched)
        chosen += [a for a in matched if a not in chosen]
    required = [t for t in types if t["required"]]
    if required and not required_matched:
        formats = ", ".join(t["arn"] for t in required)
        return [], f"no {required[0]['name']} resource resolved from the request (ARN format {formats})"
    return chosen or ["*"], ""


def _context(intent: Intent, arn: str, role_arn: str, account: str) -> dict[str, Any]:
    context = {"aws:PrincipalArn": role_arn, "aws:PrincipalAccount": account, **intent.context}
    for key, value in (intent.tags.get(arn) or {}).items():
        context[f"aws:ResourceTag/{key}"] = value
    return context


def _policy_for(intent: Intent, arn: str) -> dict[str, Any] | None:
    if arn in intent.policies:
        return intent.policies[arn]
    bucket = arn.split("/", 1)[0] if arn.startswith("arn:aws:s3:::") else None
    return intent.policies.get(bucket) if bucket else None


def _simulation(
    session: str,
    intent: Intent,
    arn: str,
    role_arn: str,
    account: str,
    identity_policies: list[dict[str, Any]],
    boundary: dict[str, Any] | None,
) -> dict[str, Any]:
    """One request for the evaluator: the session, the identity policies, the boundary and the
    resource policy AWS would weigh (key or bucket policy)."""
    simulation: dict[str, Any] = {
        "request": {
            "principal": session,
            "action": intent.action,
            "resource": {"resource": concrete(arn), "accountId": account},
            "contextVariables": _context(intent, arn, role_arn, account),
        },
        "identityPolicies": identity_policies,
        "serviceControlPolicies": [],
        "resourceControlPolicies": [],
    }
    policy = _policy_for(intent, arn)
    if policy:
        simulation["resourcePolicy"] = policy
    if boundary:
        simulation["permissionBoundaryPolicies"] = [{"name": "boundary", "policy": boundary}]
    return simulation


def judge(
    records: list[Record],
    identity_policies: list[dict[str, Any]],
    boundary: dict[str, Any] | None = None,
    account: str = "123456789012",
) -> Verdict:
    """Evaluate every recorded call of one role against the given policies (inline + managed)."""
    if not records:
        return Verdict(role_arn="(no calls)")
    role_arn = records[0].role_arn
    verdict = Verdict(role_arn=role_arn, calls=len(records))
    meta = evaluator.describe({i.action for r in records for i in r.intents})
    session = f"arn:aws:sts::{account}:assumed-role/{role_arn.rsplit('/', 1)[-1]}/iam-proof"
    pending: dict[str, tuple[dict[str, Any], Intent, Record, str, bool]] = {}
    for record in records:
        if record.error:
            verdict.unresolved.append(f"{record.call.service}:{record.call.operation}: {record.error}")
            continue
        for intent in record.intents:
            info = meta.get(intent.action)
            if info is None:
                verdict.unresolved.append(f"{intent.action} ({record.call.operation}): not an IAM action in iam-data")
                continue
            arns, missing = targets(intent.action, info, intent.arns)
            if missing:
                verdict.unresolved.append(f"{intent.action} ({record.call.operation}): {missing}")
                continue
            for arn in arns:
                simulation = _simulation(session, intent, arn, role_arn, account, identity_policies, boundary)
                key = hashlib.sha256(json.dumps(simulation, sort_keys=True).encode()).hexdigest()
                # iam-simulate refuses "*" for an action with resource types (a Describe of every
                # instance): the engine then matches it like AWS, on statements whose Resource is "*".
                unchecked = _elbv2(intent.action) or (arn == "*" and bool(resource_types(intent.action, info)))
                pending.setdefault(key, (simulation, intent, record, arn, unchecked))
    items = list(pending.values())
    results = evaluator.simulate([item[0] for item in items], [item[4] for item in items])
    verdict.evaluations = len(items)
    for (_, intent, record, arn, _unchecked), result in zip(items, results, strict=True):
        if result["result"] == "Allowed":
            verdict.allowed += 1
            continue
        if result["result"] == "Error":
            reason = f"evaluator refused the request: {_error_text(result.get('errors'))}"
            verdict.unresolved.append(f"{intent.action} on {arn} ({record.call.operation}): {reason}")
            continue
        if result["result"] == "ExplicitlyDenied":
            sids = ", ".join(f"{d['policy']} statement {d['sid']}" for d in result.get("deniedBy", []))
            reason = f"explicitly denied by {sids or 'a statement'}"
        else:
            reason = "no statement allows it"
        verdict.denials.append(Denial(intent.action, arn, record.call.operation, record.phase, reason, intent.why))
    verdict.denials = _grouped(verdict.denials)
    verdict.unresolved = sorted(set(verdict.unresolved))
    return verdict


def _grouped(denials: list[Denial]) -> list[Denial]:
    """One line per fix: the same action denied on many objects of a call is one missing statement."""
    groups: dict[tuple[str, str, str, str, str], list[str]] = {}
    for d in denials:
        groups.setdefault((d.action, d.operation, d.phase, d.reason, d.why), []).append(d.resource)
    lines = []
    for (action, operation, phase, reason, why), resources in groups.items():
        unique = sorted(set(resources))
        resource = unique[0] if len(unique) == 1 else f"{unique[0]} (and {len(unique) - 1} more)"
        lines.append(Denial(action, resource, operation, phase, reason, why))
    return sorted(lines, key=lambda d: (d.phase, d.action, d.resource))


def _error_text(errors: Any) -> str:
    text = json.dumps(errors) if not isinstance(errors, str) else errors
    return text[:300]


def report_lines(verdicts: list[Verdict]) -> list[str]:
    lines = []
    for verdict in verdicts:
        lines.append(verdict.summary())
        lines += [f"  {d.line()}" for d in verdict.denials]
        lines += [f"  UNRESOLVED {u}" for u in verdict.unresolved]
    return lines


@dataclass(frozen=True)
class Request:
    """One IAM request stated directly (the task roles' contract), not recorded from a call."""

    action: str
    resource: str
    context: dict[str, Any] = field(default_factory=dict, hash=False)


def decide(view: MotoView, role_arn: str, requests: list[Request]) -> list[str]:
    """AWS's decision for each request made by a session of ``role_arn``, with the resource policies
    (key policy, bucket policy) and the resource's tags the emulator holds now."""
    policies, boundary = view.role_policies(role_arn)
    account = view.account_id
    session = f"arn:aws:sts::{account}:assumed-role/{role_arn.rsplit('/', 1)[-1]}/task"
    simulations = []
    for request in requests:
        intent = Intent(request.action, [request.resource], {"aws:SecureTransport": "true", **request.context})
        tags = view.tags(request.resource)
        intent.tags = {request.resource: tags} if tags is not None else {}
        intent.policies = policies_of([request.resource], view)
        simulations.append(_simulation(session, intent, request.resource, role_arn, account, policies, boundary))
    return [r["result"] for r in evaluator.simulate(simulations)]
