"""A plan as an inventory: resources by address and type, planned values, counts and changes.

Built from ``terraform show -json`` of a saved plan. Tests assert on it (fabric style), and the plan
checks read it too, so there is one parser of the plan format.
"""

from __future__ import annotations

import codecs
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.errors import PlatformError

SUPPORTED_FORMAT_MAJOR = "1"
# Byte order marks, longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class PlanFormatError(PlatformError, ValueError):
    """The JSON is not a plan in a format this tool understands; the message is one line."""


@dataclass(frozen=True)
class Resource:
    address: str
    type: str
    name: str
    mode: str
    module: str | None
    values: dict[str, Any]
    actions: tuple[str, ...] = ()
    before: dict[str, Any] | None = None
    after_unknown: dict[str, Any] = field(default_factory=dict)


@dataclass
class PlanInventory:
    raw: dict[str, Any]
    resources: dict[str, Resource]
    outputs: dict[str, Any]
    variables: dict[str, Any]

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> PlanInventory:
        if not isinstance(raw, dict):
            raise PlanFormatError("plan JSON must be an object (the output of `terraform show -json PLAN`)")
        version = raw.get("format_version")
        if not isinstance(version, str):
            raise PlanFormatError("plan JSON has no format_version: is it `terraform show -json` of a plan?")
        if version.split(".")[0] != SUPPORTED_FORMAT_MAJOR:
            raise PlanFormatError(
                f"plan JSON format_version {version} is not supported (this tool reads {SUPPORTED_FORMAT_MAJOR}.x)"
            )
        if "planned_values" not in raw and "resource_changes" not in raw:
            raise PlanFormatError("plan JSON has neither planned_values nor resource_changes")

        changes = {rc["address"]: rc for rc in raw.get("resource_changes", []) if "address" in rc}
        resources: dict[str, Resource] = {}
        for res in _walk_module(raw.get("planned_values", {}).get("root_module", {})):
            rc = changes.get(res["address"], {})
            change = rc.get("change", {})
            resources[res["address"]] = Resource(
                address=res["address"],
                type=res["type"],
                name=res["name"],
                mode=res.get("mode", "managed"),
                module=_module_of(res["address"]),
                values=res.get("values") or {},
                actions=tuple(change.get("actions", ())),
                before=change.get("before"),
                after_unknown=change.get("after_unknown") or {},
            )
        # Deleted resources are absent from planned_values; keep them visible through their change.
        for address, rc in changes.items():
            if address not in resources:
                change = rc.get("change", {})
                resources[address] = Resource(
                    address=address,
                    type=rc.get("type", ""),
                    name=rc.get("name", ""),
                    mode=rc.get("mode", "managed"),
                    module=_module_of(address),
                    values=change.get("after") or {},
                    actions=tuple(change.get("actions", ())),
                    before=change.get("before"),
                    after_unknown=change.get("after_unknown") or {},
                )
        outputs = {k: v.get("value") for k, v in raw.get("planned_values", {}).get("outputs", {}).items()}
        variables = {k: v.get("value") for k, v in raw.get("variables", {}).items()}
        return cls(raw=raw, resources=resources, outputs=outputs, variables=variables)

    @classmethod
    def from_file(cls, path: Path) -> PlanInventory:
        """The plan in ``path``; every problem with the file is a one-line PlanFormatError naming it."""
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise PlanFormatError(f"cannot read plan JSON {path}: {exc.strerror}") from exc
        text = decode_text(data, path)
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PlanFormatError(f"{path} is not valid JSON (line {exc.lineno}: {exc.msg})") from exc
        except RecursionError as exc:
            raise PlanFormatError(f"{path} is not a plan JSON: nested too deeply") from exc
        try:
            return cls.from_json(raw)
        except PlanFormatError as exc:
            raise PlanFormatError(f"{path}: {exc}") from exc

    # --- queries -------------------------------------------------------------------------
    @property
    def managed(self) -> dict[str, Resource]:
        return {a: r for a, r in self.resources.items() if r.mode == "managed"}

    def of_type(self, rtype: str) -> list[Resource]:
        return [r for r in self.managed.values() if r.type == rtype]

    def one(self, rtype: str) -> Resource:
        found = self.of_type(rtype)
        if len(found) != 1:
            raise AssertionError(f"expected exactly one {rtype}, found {[r.address for r in found]}")
        return found[0]

    @property
    def counts(self) -> Counter[str]:
        return Counter(r.type for r in self.managed.values() if "delete" not in r.actions or "create" in r.actions)

    def changed(self) -> dict[str, tuple[str, ...]]:
        """Addresses whose planned actions are anything but no-op/read."""
        return {a: r.actions for a, r in self.resources.items() if r.actions and set(r.actions) - {"no-op", "read"}}

    def find(self, suffix: str) -> Resource:
        """The one resource whose address ends with ``suffix`` (addresses are long inside modules)."""
        hits = [r for a, r in self.resources.items() if a == suffix or a.endswith("." + suffix)]
        if len(hits) != 1:
            raise KeyError(f"{suffix!r} matches {[h.address for h in hits]}")
        return hits[0]


def decode_text(data: bytes, path: Path) -> str:
    """Text of a plan file in UTF-8 (with or without a BOM) or UTF-16/32 with a BOM.

    ``terraform show -json`` writes UTF-8, but Windows PowerShell 5.1's ``>`` re-encodes a native
    command's output as UTF-16 LE with a BOM: still a valid plan, so it is read, not refused.
    """
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), "utf-8")
    if encoding == "utf-8" and b"\x00" in data[:4]:
        raise PlanFormatError(
            f"{path} looks like UTF-16 without a byte order mark: save it as UTF-8 "
            "(PowerShell: `terraform show -json PLAN | Out-File -Encoding utf8 FILE`)"
        )
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        found = "" if encoding == "utf-8" else f" ({encoding} by its byte order mark)"
        raise PlanFormatError(
            f"{path} is not a text file in UTF-8 or UTF-16{found}: undecodable byte at offset {exc.start}"
        ) from exc


def _walk_module(module: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(module.get("resources", []))
    for child in module.get("child_modules", []):
        found.extend(_walk_module(child))
    return found


def _module_of(address: str) -> str | None:
    parts = address.split(".")
    mods = []
    i = 0
    while i < len(parts) - 1 and parts[i] == "module":
        mods.append(parts[i + 1])
        i += 2
    return ".".join(f"module.{m}" for m in mods) or None


def subset_mismatches(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Where ``actual`` does not contain ``expected`` (dicts by key, lists element-wise, scalars equal)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path or '.'}: expected an object, got {actual!r}"]
        problems: list[str] = []
        for key, value in expected.items():
            if key not in actual:
                problems.append(f"{path}.{key}: missing")
            else:
                problems.extend(subset_mismatches(value, actual[key], f"{path}.{key}"))
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {len(expected)} items, got {actual!r}"]
        problems = []
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            problems.extend(subset_mismatches(e, a, f"{path}[{i}]"))
        return problems
    return [] if expected == actual else [f"{path}: expected {expected!r}, got {actual!r}"]


# --- an inventory file for a reviewer to edit -----------------------------------------------------
# The format tests/modules/test_inventories.py reads: [counts], [values."<address>"], [outputs], and
# null_values (TOML has no null) as "<address>.<attribute>" or "output.<name>".

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def inventory_document(inventory: PlanInventory, addresses: Iterable[str] = ()) -> dict[str, Any]:
    """Counts by type (always), planned values of ``addresses`` (each must name one resource, as
    ``PlanInventory.find`` does) and the outputs known at plan time, as an inventory file's tables."""
    doc: dict[str, Any] = {"counts": dict(sorted(inventory.counts.items()))}
    values: dict[str, Any] = {}
    for wanted in addresses:
        try:
            resource = inventory.find(wanted)
        except KeyError as exc:
            raise PlanFormatError(f"--values {wanted}: {exc.args[0]} (give an address of the plan)") from exc
        values[resource.address] = resource.values
    if values:
        doc["values"] = values
    planned = inventory.raw.get("planned_values", {}).get("outputs", {})
    # An output unknown until apply has no "value"; a sensitive one is not written into a file.
    known = {k: v["value"] for k, v in sorted(planned.items()) if "value" in v and not v.get("sensitive")}
    if known:
        doc["outputs"] = known
    return doc


def inventory_toml(doc: dict[str, Any]) -> str:
    """``doc`` (counts, values, outputs) as TOML; top-level nulls go to ``null_values`` and nested
    null keys are left out (a subset still matches). A list holding a null cannot be written: that
    attribute becomes a comment for the reviewer."""
    nulls: list[str] = []
    skipped: list[str] = []
    lines = ["[counts]"]
    lines += [f"{_toml_key(k)} = {v}" for k, v in doc.get("counts", {}).items()]
    for address, attrs in doc.get("values", {}).items():
        lines += ["", f"[values.{_toml_key(address)}]"]
        lines += _toml_pairs(attrs, address, nulls, skipped)
    if doc.get("outputs"):
        lines += ["", "[outputs]"]
        lines += _toml_pairs(doc["outputs"], "output", nulls, skipped)
    head = []
    if nulls:
        head = ["null_values = ["] + [f"  {_toml_value(n)}," for n in nulls] + ["]", ""]
    tail = [""] + [f"# {s}: a list holding null, not representable in TOML" for s in skipped] if skipped else []
    return "\n".join(head + lines + tail) + "\n"


def _toml_pairs(attrs: dict[str, Any], owner: str, nulls: list[str], skipped: list[str]) -> list[str]:
    lines = []
    for key, value in attrs.items():
        if value is None:
            nulls.append(f"{owner}.{key}")
        elif _holds_null_in_list(value):
            skipped.append(f"{owner}.{key}")
        else:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    return lines


def _holds_null_in_list(value: Any) -> bool:
    if isinstance(value, list):
        return any(v is None or _holds_null_in_list(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_null_in_list(v) for v in value.values())
    return False


def _toml_key(key: str) -> str:
    if _BARE_KEY.match(key):
        return key
    # for_each addresses quote their keys: a literal string keeps them readable.
    if "'" not in key and key.isprintable():
        return f"'{key}'"
    return _toml_value(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        # A JSON string is a TOML basic string except for DEL, which TOML wants escaped.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        pairs = [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items() if v is not None]
        return "{ " + ", ".join(pairs) + " }" if pairs else "{}"
    raise PlanFormatError(f"plan JSON holds a {type(value).__name__}, which has no TOML form")
