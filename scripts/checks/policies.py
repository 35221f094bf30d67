"""IAM policy documents in a plan, normalised to statements the checks can read.

A policy shows up in two shapes: a JSON string on a resource (``aws_iam_policy.policy``,
``aws_iam_role.assume_role_policy``, ...) when its value is known at plan time, or the arguments
of a ``data.aws_iam_policy_document`` whose read waits for apply (its ``json`` is unknown, its
statements are not). Both become ``Statement``s; ARNs not known yet are kept as None.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from scripts.checks.planview import is_unknown, json_attr
from scripts.terraform.inventory import PlanInventory, Resource

# Resource attributes that hold trust policies. (Identity policies are checkov's: ADR 0020.)
TRUST_POLICY_ATTRS: dict[str, str] = {"aws_iam_role": "assume_role_policy"}


@dataclass(frozen=True)
class Condition:
    test: str
    variable: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Statement:
    sid: str
    effect: str
    actions: tuple[Any, ...]
    resources: tuple[Any, ...]
    principals: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    conditions: tuple[Condition, ...] = ()

    @property
    def allows(self) -> bool:
        return self.effect.lower() == "allow"

    def has_action(self, action: str) -> bool:
        wanted = action.lower()
        return any(isinstance(a, str) and a.lower() in (wanted, "*") for a in self.actions)

    def label(self) -> str:
        return f"statement {self.sid!r}" if self.sid else "a statement"


@dataclass(frozen=True)
class PolicySource:
    """Where a policy lives: the resource and, for a JSON attribute, its name."""

    resource: Resource
    attribute: str | None
    statements: tuple[Statement, ...]
    unknown: bool = False


def _as_tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(value)
    return (value,)


def statements_from_json(doc: Any) -> tuple[Statement, ...]:
    if not isinstance(doc, dict):
        return ()
    raw = doc.get("Statement", [])
    if isinstance(raw, dict):
        raw = [raw]
    out: list[Statement] = []
    for st in raw if isinstance(raw, list) else []:
        if not isinstance(st, dict):
            continue
        principals: dict[str, tuple[Any, ...]] = {}
        principal = st.get("Principal")
        if principal == "*":
            principals["*"] = ("*",)
        elif isinstance(principal, dict):
            principals = {k: _as_tuple(v) for k, v in principal.items()}
        conditions = []
        for test, pairs in (st.get("Condition") or {}).items():
            for variable, values in (pairs or {}).items():
                conditions.append(Condition(test, variable, _as_tuple(values)))
        out.append(
            Statement(
                sid=str(st.get("Sid", "")),
                effect=str(st.get("Effect", "Allow")),
                actions=_as_tuple(st.get("Action")),
                resources=_as_tuple(st.get("Resource")),
                principals=principals,
                conditions=tuple(conditions),
            )
        )
    return tuple(out)


def statements_from_document(res: Resource) -> tuple[Statement, ...]:
    """Statements of a ``data.aws_iam_policy_document`` from its arguments."""
    out: list[Statement] = []
    for st in res.values.get("statement") or []:
        principals: dict[str, tuple[Any, ...]] = {}
        for p in st.get("principals") or []:
            principals.setdefault(p.get("type") or "", ())
            principals[p.get("type") or ""] += _as_tuple(p.get("identifiers"))
        conditions = tuple(
            Condition(c.get("test") or "", c.get("variable") or "", _as_tuple(c.get("values")))
            for c in st.get("condition") or []
        )
        out.append(
            Statement(
                sid=str(st.get("sid") or ""),
                effect=str(st.get("effect") or "Allow"),
                actions=_as_tuple(st.get("actions")),
                resources=_as_tuple(st.get("resources")),
                principals=principals,
                conditions=conditions,
            )
        )
    return tuple(out)


def _json_sources(inv: PlanInventory, attrs: dict[str, str]) -> Iterator[PolicySource]:
    for rtype, attribute in attrs.items():
        for res in inv.of_type(rtype):
            if "delete" in res.actions and "create" not in res.actions:
                continue
            doc = json_attr(res, attribute)
            if is_unknown(doc):
                yield PolicySource(res, attribute, (), unknown=True)
            elif doc is not None:
                yield PolicySource(res, attribute, statements_from_json(doc))


def trust_policies(inv: PlanInventory) -> Iterator[PolicySource]:
    yield from _json_sources(inv, TRUST_POLICY_ATTRS)


def deferred_documents(inv: PlanInventory) -> Iterator[PolicySource]:
    """``data.aws_iam_policy_document`` read at apply time: the statements are in the plan."""
    for res in inv.resources.values():
        if res.mode == "data" and res.type == "aws_iam_policy_document":
            yield PolicySource(res, None, statements_from_document(res))
