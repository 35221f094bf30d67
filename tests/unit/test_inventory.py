"""Plan JSON parsing into an inventory, and its rejection of what is not a plan."""

from __future__ import annotations

import codecs
import json

import pytest

from scripts.terraform.inventory import PlanFormatError, PlanInventory, subset_mismatches


def plan(resources, changes=None, outputs=None, version="1.2"):
    return {
        "format_version": version,
        "planned_values": {
            "root_module": {
                "resources": [r for r in resources if "." not in r["address"].split(".module")[0][:7]],
                "child_modules": [
                    {
                        "address": "module.db",
                        "resources": [r for r in resources if r["address"].startswith("module.")],
                    }
                ],
            },
            "outputs": outputs or {},
        },
        "resource_changes": changes or [],
    }


RES = [
    {
        "address": "aws_s3_bucket.this",
        "type": "aws_s3_bucket",
        "name": "this",
        "mode": "managed",
        "values": {"bucket": "b"},
    },
    {
        "address": "module.db.aws_db_instance.this",
        "type": "aws_db_instance",
        "name": "this",
        "mode": "managed",
        "values": {"multi_az": True},
    },
]


def test_resources_from_nested_modules_and_outputs():
    inv = PlanInventory.from_json(plan(RES, outputs={"x": {"value": 1}}))
    assert set(inv.resources) == {"aws_s3_bucket.this", "module.db.aws_db_instance.this"}
    assert inv.find("aws_db_instance.this").module == "module.db"
    assert inv.counts == {"aws_s3_bucket": 1, "aws_db_instance": 1}
    assert inv.outputs == {"x": 1}
    assert inv.one("aws_s3_bucket").values["bucket"] == "b"


def test_deleted_resources_stay_visible_through_their_change():
    changes = [
        {
            "address": "aws_sqs_queue.old",
            "type": "aws_sqs_queue",
            "name": "old",
            "mode": "managed",
            "change": {"actions": ["delete"], "before": {"name": "q"}, "after": None},
        }
    ]
    inv = PlanInventory.from_json(plan(RES, changes))
    assert inv.changed() == {"aws_sqs_queue.old": ("delete",)}
    assert inv.resources["aws_sqs_queue.old"].before == {"name": "q"}
    assert "aws_sqs_queue" not in inv.counts


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "must be an object"),
        ({"planned_values": {}}, "has no format_version"),
        ({"format_version": "2.0", "planned_values": {}}, "format_version 2.0 is not supported"),
        ({"format_version": "1.2"}, "neither planned_values nor resource_changes"),
    ],
)
def test_not_a_plan(raw, message):
    with pytest.raises(PlanFormatError, match=message):
        PlanInventory.from_json(raw)


def test_unreadable_and_malformed_files(tmp_path):
    with pytest.raises(PlanFormatError, match="cannot read plan JSON"):
        PlanInventory.from_file(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    with pytest.raises(PlanFormatError, match="is not valid JSON"):
        PlanInventory.from_file(bad)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(plan(RES)))
    assert len(PlanInventory.from_file(good).resources) == 2


@pytest.mark.parametrize(
    "encoding",
    # terraform writes UTF-8; Windows PowerShell 5.1's `>` writes UTF-16 LE with a byte order mark.
    ["utf-8", "utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom", "utf-32"],
)
def test_plan_files_in_every_unicode_encoding_with_a_bom_are_read(tmp_path, encoding):
    raw = plan(RES)
    raw["variables"] = {"owner": {"value": "équipe-plateforme ✓"}}  # non-ASCII survives the decoding
    text = json.dumps(raw, ensure_ascii=False) + "\r\n"
    path = tmp_path / "plan.json"
    if encoding == "utf-16-le-bom":
        path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    elif encoding == "utf-16-be-bom":
        path.write_bytes(codecs.BOM_UTF16_BE + text.encode("utf-16-be"))
    else:
        path.write_bytes(text.encode(encoding))
    inventory = PlanInventory.from_file(path)
    assert len(inventory.resources) == 2
    assert inventory.variables["owner"] == "équipe-plateforme ✓"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe{\x00\x00\xd8", r"not a text file in UTF-8 or UTF-16 \(utf-16 by its byte order mark\)"),
        (
            b'{"format_version": "1.2", "x": "\xe9t\xe9"}',
            r"not a text file in UTF-8 or UTF-16: undecodable byte at offset 32",
        ),
        ('{"a": 1}'.encode("utf-16-le"), "looks like UTF-16 without a byte order mark"),
        (b"", "is not valid JSON"),
        (b"[" * 100_000, "nested too deeply|is not valid JSON"),
        (b'{"planned_values": {}}', "plan.json: plan JSON has no format_version"),
    ],
    ids=["broken-utf16", "latin1", "utf16-no-bom", "empty", "deep", "no-version"],
)
def test_undecodable_or_foreign_files_are_one_line_naming_the_file(tmp_path, data, message):
    path = tmp_path / "plan.json"
    path.write_bytes(data)
    with pytest.raises(PlanFormatError, match=message) as err:
        PlanInventory.from_file(path)
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)


def test_find_is_strict_about_ambiguity():
    inv = PlanInventory.from_json(plan(RES))
    with pytest.raises(KeyError):
        inv.find("this")


def test_subset_mismatches():
    assert subset_mismatches({"a": [{"b": 1}]}, {"a": [{"b": 1, "c": 2}], "d": 3}) == []
    assert subset_mismatches({"a": 1}, {"a": 2}) == [".a: expected 1, got 2"]
    assert subset_mismatches({"a": [1, 2]}, {"a": [1]}) == [".a: expected 2 items, got [1]"]
    assert subset_mismatches({"z": 1}, {}) == [".z: missing"]
