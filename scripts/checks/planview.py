"""Reading a plan the way the checks need it: known vs. unknown values, links, module inputs.

A plan of new infrastructure knows less than one of existing infrastructure: ARNs, ids and every
string built from them (a policy JSON, a container definition with a secret ARN) are known only
after apply. The checks therefore ask three questions of a value: known (use it), unknown until
apply (say so, do not guess), or absent (the argument was not set).

Linking resources (a service to its task definition, a bucket to its public access block) follows
one rule everywhere, documented in ``scripts/checks/README.md``:

1. by a known identifying value (bucket name, family, service name in a scalable target's id);
2. otherwise within the same module instance: the one candidate there, or the candidate with the
   same resource name (``aws_s3_bucket.uploads`` and ``aws_s3_bucket_policy.uploads``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from scripts.terraform.inventory import PlanInventory, Resource


class _Unknown:
    """A value Terraform knows only after apply."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "(known after apply)"

    def __bool__(self) -> bool:
        return False


UNKNOWN = _Unknown()


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN


def attr(res: Resource, key: str) -> Any:
    """A top-level attribute: its planned value, ``UNKNOWN``, or None when it is not set."""
    if res.after_unknown.get(key) is True:
        return UNKNOWN
    return res.values.get(key)


def block(res: Resource, key: str) -> dict[str, Any] | None:
    """The first element of a nested block list (``deployment_circuit_breaker[0]``) or None."""
    value = res.values.get(key)
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return value[0]
    if isinstance(value, dict):
        return value
    return None


def json_attr(res: Resource, key: str) -> Any:
    """A JSON-string attribute decoded; ``UNKNOWN`` until apply; None when unset or not JSON."""
    raw = attr(res, key)
    if is_unknown(raw) or raw is None:
        return raw
    if isinstance(raw, (dict, list)):
        return raw
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return None


def as_int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None or is_unknown(value):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        return int(value)
    return None


def is_deleted(res: Resource) -> bool:
    """Planned for deletion only (not a replacement): its values are the old ones."""
    return "delete" in res.actions and "create" not in res.actions


def live(inv: PlanInventory, rtype: str) -> list[Resource]:
    """Managed resources of a type that exist after the plan (deleted ones excluded)."""
    return [r for r in inv.of_type(rtype) if not is_deleted(r)]


def last_segment(value: Any) -> Any:
    """``arn:...:cluster/name`` -> ``name``; other values unchanged."""
    if isinstance(value, str) and "/" in value:
        return value.rsplit("/", 1)[-1]
    return value


def link(
    res: Resource,
    candidates: Iterable[Resource],
    key: Callable[[Resource], Any] | None = None,
    want: Any = None,
    peers: Iterable[Resource] | None = None,
) -> list[Resource]:
    """Candidates that belong to ``res`` by the module rule (see the module docstring).

    ``key(candidate)`` and ``want`` are the identifying values: when both are known and equal, the
    candidate matches wherever it is. Otherwise only candidates in ``res``'s module instance whose
    key is not known to differ count: all of them when ``res`` is the only one of its kind there
    (``peers``: the resources of ``res``'s type) or there is one candidate, else those with
    ``res``'s resource name.
    """
    pool = list(candidates)
    want_known = key is not None and _known(want)
    if want_known:
        assert key is not None
        exact = [c for c in pool if _known_equal(key(c), want)]
        if exact:
            return exact
    local = [c for c in pool if c.module == res.module]
    if want_known:
        assert key is not None
        local = [c for c in local if not _known(key(c))]
    if peers is not None:
        crowded = sum(1 for p in peers if p.module == res.module) > 1
        if not crowded:
            return local
        return [c for c in local if c.name == res.name]
    if len(local) <= 1:
        return local
    return [c for c in local if c.name == res.name]


def _known(value: Any) -> bool:
    return value is not None and not is_unknown(value)


def _known_equal(a: Any, b: Any) -> bool:
    return _known(a) and _known(b) and a == b


# --- module inputs from the plan's configuration ---------------------------------------------

_MODULE_RE = re.compile(r'module\.([A-Za-z0-9_-]+)(\[(?:"[^"]*"|\d+)\])?')


def module_path(address_module: str | None) -> list[tuple[str, str | int | None]]:
    """``module.a["k"].module.b`` -> [("a", "k"), ("b", None)]."""
    if not address_module:
        return []
    path: list[tuple[str, str | int | None]] = []
    for name, key in _MODULE_RE.findall(address_module):
        if not key:
            path.append((name, None))
        elif key.startswith('["'):
            path.append((name, key[2:-2]))
        else:
            path.append((name, int(key[1:-1])))
    return path


def module_input(inv: PlanInventory, address_module: str | None, name: str) -> Any:
    """The value passed to input ``name`` of the module instance ``address_module``.

    Resolved from the plan's ``configuration``: a constant, or a reference to a root variable, to
    an input of the enclosing module, or to ``each.value``/``each.key`` of a ``for_each`` over one of
    those. Returns ``UNKNOWN`` when the expression is anything else (a local, another resource) and
    None when the input is not set. A reference is taken as the value it names; an expression that
    computes on it (``var.pool * 2``) cannot be told apart in the plan JSON, so callers prefer the
    planned value where there is one.
    """
    path = module_path(address_module)
    if not path:
        return None
    calls_chain: list[dict[str, Any]] = []
    module = inv.raw.get("configuration", {}).get("root_module", {})
    for mod_name, _key in path:
        call = module.get("module_calls", {}).get(mod_name)
        if call is None:
            return None
        calls_chain.append(call)
        module = call.get("module", {})
    return _resolve_input(inv, calls_chain, path, len(path) - 1, name)


def _resolve_input(
    inv: PlanInventory,
    calls: list[dict[str, Any]],
    path: list[tuple[str, str | int | None]],
    depth: int,
    name: str,
) -> Any:
    expr = calls[depth].get("expressions", {}).get(name)
    if expr is None:
        return None
    return _resolve_expr(inv, calls, path, depth, expr)


def _resolve_expr(
    inv: PlanInventory,
    calls: list[dict[str, Any]],
    path: list[tuple[str, str | int | None]],
    depth: int,
    expr: dict[str, Any],
) -> Any:
    """Evaluate ``expr`` written in the module that calls ``calls[depth]``."""
    if "constant_value" in expr:
        return expr["constant_value"]
    refs = expr.get("references") or []
    if not refs or not _single_reference(refs):
        return UNKNOWN
    head, steps = _parse_reference(refs[0])
    if head is None:
        return UNKNOWN
    kind, root_name = head
    if kind == "var":
        if depth == 0:
            base = inv.variables.get(root_name, UNKNOWN)
        else:
            base = _resolve_input(inv, calls, path, depth - 1, root_name)
    elif kind == "each":
        key = path[depth][1]
        if key is None:
            return UNKNOWN
        if root_name == "key":
            base = key
        else:
            for_each = calls[depth].get("for_each_expression")
            if not for_each:
                return UNKNOWN
            # The for_each expression is written in the same module as the call's inputs.
            base = _step(_resolve_expr(inv, calls, path, depth, for_each), key)
    else:
        return UNKNOWN
    for step in steps:
        base = _step(base, step)
    return base


def _single_reference(refs: list[str]) -> bool:
    """Terraform lists a traversal and its prefixes (``var.a.b``, ``var.a``): one reference in all."""
    first = refs[0]
    return all(first == r or first.startswith(r + ".") or first.startswith(r + "[") for r in refs)


_STEP_RE = re.compile(r'\.([A-Za-z_][A-Za-z0-9_-]*)|\["([^"]*)"\]|\[(\d+)\]')


def _parse_reference(ref: str) -> tuple[tuple[str, str] | None, list[str | int]]:
    match = re.match(r"(var|each)\.([A-Za-z_][A-Za-z0-9_-]*)", ref)
    if not match:
        return None, []
    steps: list[str | int] = []
    rest = ref[match.end() :]
    pos = 0
    while pos < len(rest):
        step = _STEP_RE.match(rest, pos)
        if not step:
            return None, []
        attr_name, key, index = step.groups()
        steps.append(int(index) if index is not None else (attr_name if attr_name is not None else key))
        pos = step.end()
    return (match.group(1), match.group(2)), steps


def _step(value: Any, step: str | int) -> Any:
    if is_unknown(value) or value is None:
        return UNKNOWN
    if isinstance(value, dict):
        return value.get(step, UNKNOWN) if isinstance(step, str) else UNKNOWN
    if isinstance(value, list) and isinstance(step, int):
        return value[step] if 0 <= step < len(value) else UNKNOWN
    return UNKNOWN
