"""The project's own security rules, the ones checkov does not make: TLS-only buckets, internet
ingress only on the load balancer's listener ports, no privileged container, a pinned OIDC ``sub``.

The generic rules moved to checkov on the plan (``scripts.checks.checkov_plan``; ADR 0020). Each
removed check and the checkov check that covers it, verified on the same broken plans
(tests/unit/test_checks_security.py):

- ``security.rds-public``: CKV_AWS_17; ``security.rds-unencrypted``: CKV_AWS_16.
- ``security.s3-public-access``: CKV2_AWS_6 (no public access block), CKV_AWS_53/54/55/56 (one
  setting each of block_public_acls, block_public_policy, ignore_public_acls,
  restrict_public_buckets).
- ``security.s3-ownership``: CKV2_AWS_65 (ownership controls other than BucketOwnerEnforced).
- ``security.iam-wildcard``: CKV_AWS_62 and CKV_AWS_63 (policies), CKV_AWS_1 and CKV_AWS_49
  (``aws_iam_policy_document``), CKV_AWS_274 (AdministratorAccess attached).
- ``security.task-rootfs``: CKV_AWS_336.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scripts.checks.findings import CheckOptions, Finding, error, warning
from scripts.checks.planview import attr, is_unknown, json_attr, link, live
from scripts.checks.policies import (
    PolicySource,
    Statement,
    deferred_documents,
    statements_from_json,
    trust_policies,
)
from scripts.terraform.inventory import PlanInventory, Resource

WORLD = ("0.0.0.0/0", "::/0")
GITHUB_OIDC = "token.actions.githubusercontent.com"
WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"


# --- S3 ----------------------------------------------------------------------------------------


def _companion(inv: PlanInventory, bucket: Resource, rtype: str) -> Resource | None:
    found = link(
        bucket,
        live(inv, rtype),
        key=lambda r: attr(r, "bucket"),
        want=attr(bucket, "bucket"),
        peers=live(inv, "aws_s3_bucket"),
    )
    return found[0] if found else None


def _denies_insecure_transport(statements: tuple[Statement, ...]) -> bool:
    for st in statements:
        if st.allows:
            continue
        if not any(isinstance(a, str) and a in ("*", "s3:*") for a in st.actions):
            continue
        for cond in st.conditions:
            if (
                cond.test in ("Bool", "BoolIfExists")
                and cond.variable.lower() == "aws:securetransport"
                and any(str(v).lower() == "false" for v in cond.values)
            ):
                return True
    return False


def s3(inv: PlanInventory) -> list[Finding]:
    """Every bucket has a policy denying non-TLS access (checkov has no such check on a plan)."""
    findings = []
    deferred = list(deferred_documents(inv))
    for bucket in live(inv, "aws_s3_bucket"):
        name = attr(bucket, "bucket")
        label = f"bucket {name!r}" if isinstance(name, str) else "the bucket"
        findings += _bucket_tls(inv, bucket, label, deferred)
    return findings


def _bucket_tls(inv: PlanInventory, bucket: Resource, label: str, deferred: list[PolicySource]) -> list[Finding]:
    policy = _companion(inv, bucket, "aws_s3_bucket_policy")
    missing_fix = (
        'attach a bucket policy that denies "s3:*" when aws:SecureTransport is false (modules/private-s3 does)'
    )
    if policy is None:
        return [
            error(
                "security.s3-tls", bucket.address, f"{label} has no bucket policy denying non-TLS access", missing_fix
            )
        ]
    doc = json_attr(policy, "policy")
    if is_unknown(doc):
        local_docs = [d for d in deferred if d.resource.module == policy.module]
        if any(_denies_insecure_transport(d.statements) for d in local_docs):
            return []
        return [
            warning(
                "security.s3-tls",
                policy.address,
                f"{label}: the policy is known only after apply and no policy document in its module "
                "denies non-TLS access",
                "build the policy with an aws_iam_policy_document that denies aws:SecureTransport = false, "
                "or re-run the check on the plan after apply",
            )
        ]
    if not _denies_insecure_transport(statements_from_json(doc)):
        return [
            error("security.s3-tls", policy.address, f"{label}: the policy does not deny non-TLS access", missing_fix)
        ]
    return []


# --- security groups ----------------------------------------------------------------------------


def _ingress_rules(inv: PlanInventory) -> Iterator[tuple[Resource, Resource | None, dict[str, Any]]]:
    """(rule resource, its security group, {cidrs, from_port, to_port, protocol}) per ingress rule."""
    groups = live(inv, "aws_security_group")
    for sg in groups:
        for rule in sg.values.get("ingress") or []:
            cidrs = list(rule.get("cidr_blocks") or []) + list(rule.get("ipv6_cidr_blocks") or [])
            yield sg, sg, {"cidrs": cidrs, **_ports(rule, "protocol")}
    for rule in live(inv, "aws_security_group_rule"):
        if attr(rule, "type") != "ingress":
            continue
        cidrs = list(rule.values.get("cidr_blocks") or []) + list(rule.values.get("ipv6_cidr_blocks") or [])
        yield rule, _group_of(rule, groups), {"cidrs": cidrs, **_ports(rule.values, "protocol")}
    for rule in live(inv, "aws_vpc_security_group_ingress_rule"):
        cidrs = [c for c in (rule.values.get("cidr_ipv4"), rule.values.get("cidr_ipv6")) if c]
        yield rule, _group_of(rule, groups), {"cidrs": cidrs, **_ports(rule.values, "ip_protocol")}


def _ports(values: dict[str, Any], protocol_key: str) -> dict[str, Any]:
    protocol = str(values.get(protocol_key, ""))
    if protocol in ("-1", "all"):
        return {"from_port": 0, "to_port": 65535, "protocol": protocol}
    return {"from_port": values.get("from_port"), "to_port": values.get("to_port"), "protocol": protocol}


def _group_of(rule: Resource, groups: list[Resource]) -> Resource | None:
    found = link(rule, groups, key=lambda g: attr(g, "id"), want=attr(rule, "security_group_id"))
    return found[0] if len(found) == 1 else None


def _load_balancer_groups(inv: PlanInventory, groups: list[Resource]) -> set[str]:
    """Addresses of the security groups attached to a load balancer."""
    found: set[str] = set()
    for lb in live(inv, "aws_lb") + live(inv, "aws_alb"):
        attached = attr(lb, "security_groups")
        for sg in groups:
            sg_id = attr(sg, "id")
            known = isinstance(attached, list) and isinstance(sg_id, str)
            if (known and sg_id in attached) or (not known and sg.module == lb.module):
                found.add(sg.address)
    return found


def security_groups(inv: PlanInventory) -> list[Finding]:
    findings = []
    groups = live(inv, "aws_security_group")
    lb_groups = _load_balancer_groups(inv, groups)
    listener_ports = {
        p
        for p in (attr(lsn, "port") for lsn in live(inv, "aws_lb_listener") + live(inv, "aws_alb_listener"))
        if isinstance(p, int)
    }
    for rule, sg, spec in _ingress_rules(inv):
        world = [c for c in spec["cidrs"] if c in WORLD]
        if not world:
            continue
        lo, hi = spec["from_port"], spec["to_port"]
        ports = "all ports" if (lo, hi) == (0, 65535) else (f"port {lo}" if lo == hi else f"ports {lo}-{hi}")
        on_lb = sg is not None and sg.address in lb_groups
        listener = isinstance(lo, int) and lo == hi and lo in listener_ports
        if on_lb and listener:
            continue
        why = (
            f"{ports} is not a listener port of the load balancer ({sorted(listener_ports) or 'none'})"
            if on_lb
            else "the security group is not the load balancer's"
        )
        findings.append(
            error(
                "security.sg-open-ingress",
                rule.address,
                f"ingress from {', '.join(world)} on {ports}: {why}",
                "allow ingress from the load balancer's (or the caller's) security group instead of the "
                "internet; only the ALB listener ports may be open to 0.0.0.0/0",
            )
        )
    return findings


# --- task definitions --------------------------------------------------------------------------


def task_definitions(inv: PlanInventory) -> list[Finding]:
    """No privileged container (checkov's read-only root filesystem check, CKV_AWS_336, has no
    counterpart for privileged mode on a plan: tried, it does not fail)."""
    findings = []
    for td in live(inv, "aws_ecs_task_definition"):
        containers = json_attr(td, "container_definitions")
        if is_unknown(containers):
            findings.append(
                warning(
                    "security.task-hardening",
                    td.address,
                    "container definitions are known only after apply (they reference values such as "
                    "secret or image ARNs created in this plan): privileged mode cannot be checked yet",
                    "re-run check-plan on the next plan (after apply the definitions are known); "
                    "modules/ecs-service never sets privileged",
                )
            )
            continue
        for c in containers if isinstance(containers, list) else []:
            if c.get("privileged") is True:
                findings.append(
                    error(
                        "security.task-privileged",
                        td.address,
                        f"container {c.get('name', '?')!r} runs privileged",
                        "remove privileged = true (Fargate rejects it anyway); grant Linux capabilities "
                        "one by one if truly needed",
                    )
                )
    return findings


# --- OIDC deploy role ----------------------------------------------------------------------------


def _sub_problem(st: Statement) -> tuple[str, str] | None:
    """(severity, reason) when a web-identity trust statement does not pin ``sub``."""
    subs = [c for c in st.conditions if c.variable.lower().endswith(":sub")]
    if not subs:
        return "error", "has no condition on the token's sub claim: any repository can assume the role"
    for cond in subs:
        if not cond.test.startswith(("StringEquals", "StringLike", "ForAnyValue:String", "ForAllValues:String")):
            return "error", f"tests sub with {cond.test}, which does not restrict who may assume the role"
        for value in cond.values:
            if not isinstance(value, str) or not value:
                continue
            if value == "*" or value.startswith("repo:*"):
                return "error", f"sub {value!r} matches every repository"
            parts = value.split(":")
            repo = parts[1] if len(parts) > 1 else ""
            if "*" in repo or "?" in repo:
                return "error", f"sub {value!r} has a wildcard in the owner/repository part"
            if "*" in value:
                return "warning", f"sub {value!r} lets every ref of the repository assume the role"
    return None


def oidc(inv: PlanInventory) -> list[Finding]:
    findings = []
    sources = list(trust_policies(inv)) + list(deferred_documents(inv))
    for source in sources:
        for st in source.statements:
            if not st.allows or not st.has_action(WEB_IDENTITY):
                continue
            problem = _sub_problem(st)
            if problem is None:
                continue
            severity, reason = problem
            make = error if severity == "error" else warning
            findings.append(
                make(
                    "security.oidc-sub",
                    source.resource.address,
                    f"the web-identity trust {st.label()} {reason}",
                    f'pin {GITHUB_OIDC}:sub with StringEquals to "repo:<owner>/<repo>:environment:<env>" '
                    '(apply) or "repo:<owner>/<repo>:pull_request" (plan)',
                )
            )
    return findings


def check(inv: PlanInventory, options: CheckOptions) -> list[Finding]:
    del options
    return s3(inv) + security_groups(inv) + task_definitions(inv) + oidc(inv)
