"""Blocks several configurations repeat word for word are one file in modules/_shared (ADR 0024),
and the region-name rule is one data file read by Terraform and Python.

- ``aws_context.tf``: the caller-identity, partition and region lookups and their three locals.
- ``moved_kms_key.tf``: the migration of a module's own KMS key and alias into ``module "kms_key"``.
- ``log_retention_days.tf``: the retention periods CloudWatch Logs accepts, as ``local.log_retention_days``.
- ``aws_id_patterns.tf``: ``local.aws_id_pattern``, the formats of AWS identifiers, read from
  ``aws_id_patterns.json`` (which the root and the Python tooling read too).
- ``service_name.tf``: the platform's ``service_name`` input and its rules, which the root and
  bootstrap take alike.

A configuration takes one by a relative link of the same name. These tests check what Terraform does
not: a configuration that links the context reads all three locals (the shared file's tflint-ignore,
needed when modules/_shared is linted on its own, would hide an unused one), a module that links the
migration has the ``module "kms_key"`` it moves into (``terraform validate`` accepts a moved block
into a module that does not exist), and no configuration writes either block out again in a file of
its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from scripts.checks.cost import ARN_REGION, REGION_NAME
from scripts.terraform.tf import REPO_ROOT
from scripts.terraform.validate import terraform_dirs

SHARED = REPO_ROOT / "modules" / "_shared"
CONFIGURATIONS = sorted({REPO_ROOT / d for d in terraform_dirs(REPO_ROOT)} - {SHARED})

_CONTEXT_DATA = re.compile(r'^data\s+"aws_(caller_identity|partition|region)"\s+"current"\s*\{\}', re.MULTILINE)
_CONTEXT_LOCALS = ("account_id", "partition", "region")
_KMS_MODULE = re.compile(r'^module\s+"kms_key"\s*\{', re.MULTILINE)
# The shared migration's own move (from the module's aws_kms_*.this); ecs-service moves its differently
# named log key (aws_kms_key.logs) and keeps that block.
_KMS_MOVE = re.compile(
    r"^\s*from\s*=\s*aws_kms_(key|alias)\.this\[0\]\s*\n\s*to\s*=\s*module\.kms_key\[0\]\.aws_kms_\1\.this\s*$",
    re.MULTILINE,
)


# The list's last periods: any .tf file of a configuration's own that holds them states the list again.
_RETENTION_TAIL = "2557, 2922, 3288, 3653"
AWS_ID_PATTERNS = json.loads((SHARED / "aws_id_patterns.json").read_text())["patterns"]
# Any file that holds the body of one of the formats states it again.
_ID_BODIES = [p.strip("^$") for p in AWS_ID_PATTERNS.values()]


@dataclass(frozen=True)
class Block:
    name: str  # the shared file's name, and the link's
    needs: str  # what a configuration that links it must have, for the message
    lacks: Callable[[str], bool]  # whether a configuration's own text lacks what linking needs
    copied: Callable[[str], bool]  # whether one file of a configuration's own writes the block out again


BLOCKS = [
    Block(
        "aws_context.tf",
        "reads local.account_id, local.partition and local.region",
        lacks=lambda source: not all(re.search(rf"\blocal\.{n}\b", source) for n in _CONTEXT_LOCALS),
        copied=lambda text: len(set(_CONTEXT_DATA.findall(text))) == 3,
    ),
    Block(
        "moved_kms_key.tf",
        'has the module "kms_key" the key moves into',
        lacks=lambda source: not _KMS_MODULE.search(source),
        copied=lambda text: bool(_KMS_MOVE.search(text)),
    ),
    Block(
        "log_retention_days.tf",
        "reads local.log_retention_days",
        lacks=lambda source: not re.search(r"\blocal\.log_retention_days\b", source),
        copied=lambda text: _RETENTION_TAIL in text,
    ),
    Block(
        "aws_id_patterns.tf",
        "reads local.aws_id_pattern",
        lacks=lambda source: not re.search(r"\blocal\.aws_id_pattern\.", source),
        copied=lambda text: any(body in text for body in _ID_BODIES),
    ),
    Block(
        "service_name.tf",
        "reads var.service_name",
        lacks=lambda source: not re.search(r"\bvar\.service_name\b", source),
        copied=lambda text: bool(re.search(r'^variable\s+"service_name"', text, re.MULTILINE)),
    ),
]


def own_files(config: Path) -> list[Path]:
    return [tf for tf in sorted(config.glob("*.tf")) if not tf.is_symlink()]


def problems(block: Block, configs: list[Path], shared: Path, root: Path) -> list[str]:
    found = []
    for config in configs:
        rel = config.relative_to(root).as_posix()
        for tf in own_files(config):
            if block.copied(tf.read_text()):
                found.append(f"{rel}/{tf.name} writes out the block of {block.name}: link it instead")
        link = config / block.name
        if not (link.exists() or link.is_symlink()):
            continue
        if not link.is_symlink():
            found.append(f"{rel}/{block.name} must be a link to {shared.relative_to(root)}/{block.name}")
        elif link.resolve() != (shared / block.name).resolve() or link.readlink().is_absolute():
            found.append(f"{rel}/{block.name} -> {link.readlink()} must be a relative link to the shared file")
        # What reads the block may be a linked shared input (modules/_shared/variables), not only the
        # configuration's own files.
        elif block.lacks("\n".join(tf.read_text() for tf in sorted(config.glob("*.tf")) if tf.name != block.name)):
            found.append(f"{rel} links {block.name} but no other file of it {block.needs}")
    return found


def users(block: Block) -> list[str]:
    return [c.relative_to(REPO_ROOT).as_posix() for c in CONFIGURATIONS if (c / block.name).is_symlink()]


@pytest.mark.parametrize("block", BLOCKS, ids=[b.name for b in BLOCKS])
def test_a_shared_block_is_linked_correctly_and_not_written_out_again(block: Block):
    assert not (SHARED / block.name).is_symlink()
    assert problems(block, CONFIGURATIONS, SHARED, REPO_ROOT) == []


def test_who_links_the_shared_blocks():
    # The configurations that link each block; a new user adds itself here. ecs-cluster and
    # rds-postgres stopped building log group ARNs when modules/kms-key took the CloudWatch Logs grant
    # (cloudwatch_logs_log_groups), which made kms-key a user; private-s3 reads the region since the
    # load balancer log grant depends on it.
    assert users(BLOCKS[0]) == [
        "modules/cloudwatch-alarms",
        "modules/ecs-service",
        "modules/kms-key",
        "modules/private-s3",
        "modules/rds-proxy",
        "terraform/bootstrap",
    ]
    assert users(BLOCKS[1]) == [
        "modules/cloudwatch-alarms",
        "modules/ecs-cluster",
        "modules/private-s3",
        "modules/rds-postgres",
    ]
    assert users(BLOCKS[3]) == [
        "modules/alb",
        "modules/cloudwatch-alarms",
        "modules/ecs-cluster",
        "modules/ecs-service",
        "modules/private-s3",
        "modules/rds-postgres",
        "modules/rds-proxy",
    ]
    # The root and bootstrap take the same service name; bootstrap scopes the deploy roles to it.
    assert users(BLOCKS[4]) == ["terraform", "terraform/bootstrap"]
    assert users(BLOCKS[2]) == [
        "modules/ecs-cluster",
        "modules/ecs-service",
        "modules/rds-postgres",
        "modules/rds-proxy",
        "terraform",
    ]


def test_the_checks_catch_a_copy_a_bad_link_and_a_link_nothing_needs(tmp_path: Path):
    shared = tmp_path / "modules" / "_shared"
    shared.mkdir(parents=True)
    for block in BLOCKS:
        (shared / block.name).write_text((SHARED / block.name).read_text())
    copy, absolute, unused, good = (tmp_path / "modules" / n for n in ("copy", "absolute", "unused", "good"))
    for config in (copy, absolute, unused, good):
        config.mkdir()
    context, moved, retention, _, service = BLOCKS
    # A module that writes both blocks out itself.
    (copy / "main.tf").write_text((SHARED / context.name).read_text() + (SHARED / moved.name).read_text())
    (absolute / context.name).symlink_to(shared / context.name)
    (absolute / "main.tf").write_text('locals {\n  arn = "${local.account_id}${local.partition}${local.region}"\n}\n')
    # Links both, but reads one local and has no key module.
    (unused / context.name).symlink_to(f"../_shared/{context.name}")
    (unused / moved.name).symlink_to(f"../_shared/{moved.name}")
    (unused / "main.tf").write_text("locals {\n  a = local.region\n}\n")
    (good / context.name).symlink_to(f"../_shared/{context.name}")
    (good / moved.name).symlink_to(f"../_shared/{moved.name}")
    (good / "main.tf").write_text(
        'module "kms_key" {\n  source = "../kms-key"\n  count  = 1\n}\n'
        'locals {\n  arn = "${local.account_id}${local.partition}${local.region}"\n}\n'
    )
    configs = [copy, absolute, unused, good]
    assert problems(context, configs, shared, tmp_path) == [
        "modules/copy/main.tf writes out the block of aws_context.tf: link it instead",
        f"modules/absolute/aws_context.tf -> {shared / context.name} must be a relative link to the shared file",
        "modules/unused links aws_context.tf but no other file of it reads local.account_id, local.partition and "
        "local.region",
    ]
    assert problems(moved, configs, shared, tmp_path) == [
        "modules/copy/main.tf writes out the block of moved_kms_key.tf: link it instead",
        'modules/unused links moved_kms_key.tf but no other file of it has the module "kms_key" the key moves into',
    ]
    # A validation that writes the periods out, and a link nothing reads.
    (copy / "variables.tf").write_text(
        'variable "days" {\n  validation {\n    condition = contains([1, 3, 2557, 2922, 3288, 3653], var.days)\n'
        '    error_message = "no"\n  }\n}\n'
    )
    (unused / retention.name).symlink_to(f"../_shared/{retention.name}")
    assert problems(retention, configs, shared, tmp_path) == [
        "modules/copy/variables.tf writes out the block of log_retention_days.tf: link it instead",
        "modules/unused links log_retention_days.tf but no other file of it reads local.log_retention_days",
    ]
    # A configuration that declares the service name itself, and one that links it and never reads it.
    (copy / "inputs.tf").write_text('variable "service_name" {\n  type = string\n}\n')
    (unused / service.name).symlink_to(f"../_shared/{service.name}")
    assert problems(service, configs, shared, tmp_path) == [
        "modules/copy/inputs.tf writes out the block of service_name.tf: link it instead",
        "modules/unused links service_name.tf but no other file of it reads var.service_name",
    ]


# --- The region-name rule: one data file, read by Terraform and Python ---------------------------

REGION_NAME_FILE = SHARED / "region_name.json"
# Any statement of the rule's first characters outside the data file is a second copy of it.
_REGION_RULE_TEXT = "[a-z]{2}(-gov"


def region_rule_copies(root: Path) -> list[str]:
    files = [*root.glob("modules/**/*.tf"), *root.glob("terraform/**/*.tf"), *root.glob("scripts/**/*.py")]
    return sorted(
        p.relative_to(root).as_posix()
        for p in files
        if ".terraform" not in p.parts and not p.is_symlink() and _REGION_RULE_TEXT in p.read_text()
    )


def test_the_region_name_rule_is_stated_once():
    pattern = json.loads(REGION_NAME_FILE.read_text())["pattern"]
    assert REGION_NAME.pattern == pattern
    assert pattern.strip("^$") in ARN_REGION.pattern
    for name in ("eu-west-1", "us-gov-west-1", "us-isob-east-1", "ap-southeast-4"):
        assert REGION_NAME.match(name), name
    for name in ("eu_west_1", "EU-WEST-1", "eu-west", "mars-1"):
        assert not REGION_NAME.match(name), name
    readers = {
        "terraform/locals.tf": '"${path.module}/../modules/_shared/region_name.json"',
        "terraform/bootstrap/main.tf": '"${path.module}/../../modules/_shared/region_name.json"',
    }
    for reader, path in readers.items():
        assert f"jsondecode(file({path})).pattern" in (REPO_ROOT / reader).read_text(), reader
    assert region_rule_copies(REPO_ROOT) == []


def test_a_copy_of_the_region_rule_is_found(tmp_path: Path):
    (tmp_path / "terraform").mkdir()
    (tmp_path / "terraform" / "variables.tf").write_text(
        'variable "region" {\n  validation {\n'
        '    condition     = can(regex("^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$", var.region))\n'
        '    error_message = "no"\n  }\n}\n'
    )
    assert region_rule_copies(tmp_path) == ["terraform/variables.tf"]


# --- The formats of AWS identifiers: one data file, read by Terraform and Python ------------------


def id_format_copies(root: Path) -> list[str]:
    files = [*root.glob("modules/**/*.tf"), *root.glob("terraform/**/*.tf"), *root.glob("scripts/**/*.py")]
    return sorted(
        p.relative_to(root).as_posix()
        for p in files
        if ".terraform" not in p.parts and not p.is_symlink() and any(body in p.read_text() for body in _ID_BODIES)
    )


def test_the_identifier_formats_are_stated_once_and_say_what_aws_does():
    matches = {
        "subnet_id": (["subnet-0123abcd", "subnet-0123456789abcdef0"], ["subnet-xyz", "sg-0123abcd"]),
        "security_group_id": (["sg-0123abcd", "sg-0123456789abcdef0"], ["sg-", "subnet-0123abcd"]),
        # A multi-Region key's ID is mrk- and 32 hexadecimal characters; aliases and bare IDs are not ARNs.
        "kms_key_arn": (
            [
                "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666",
                "arn:aws:kms:us-east-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab",
            ],
            ["arn:aws:kms:eu-west-1:123456789012:alias/data", "0a1b2c3d-1111-2222-3333-444455556666"],
        ),
        "ecs_secret_value_from": (
            [
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:imgclass/signing-AbCdEf",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:password::",
                "arn:aws:ssm:eu-west-1:123456789012:parameter/imgclass/model",
            ],
            ["hunter2", "arn:aws:s3:::bucket"],
        ),
        # 1-63, first a letter, no trailing hyphen; RDS stores it in lowercase. "a--b" matches: "--" is
        # each validation's own !strcontains (RE2 has no lookahead), which the test below checks is there.
        "db_instance_identifier": (
            ["a", "imgclass-db", "db1", "a" * 63],
            ["", "1db", "-db", "db-", "Imgclass-db", "img_db", "a" * 64],
        ),
        # The .fifo suffix counts towards the 80 characters.
        "sqs_queue_name": (
            ["jobs", "imgclass_jobs-dlq", "Q" * 80, "q" * 75 + ".fifo"],
            [
                "",
                "q" * 81,
                "q" * 76 + ".fifo",
                "jobs.fifo.fifo",
                "jobs.dlq",
                "https://sqs.eu-west-1.amazonaws.com/1/jobs",
            ],
        ),
        # A managed policy: the account or "aws", an optional path between slashes, a 1-128 character name.
        "iam_policy_arn": (
            [
                "arn:aws:iam::123456789012:policy/boundary",
                "arn:aws:iam::aws:policy/PowerUserAccess",
                "arn:aws-us-gov:iam::123456789012:policy/team/ci/boundary",
                "arn:aws:iam::123456789012:policy/a+b=c,d.e@f_g-h",
            ],
            [
                "boundary",
                "arn:aws:iam::123456789012:role/boundary",
                "arn:aws:iam::12345:policy/boundary",
                "arn:aws:iam::123456789012:policy/",
                "arn:aws:iam::123456789012:policy/team/*",
                "arn:aws:iam::123456789012:policy/two words",
                "arn:aws:iam::123456789012:policy/" + "a" * 129,
            ],
        ),
        # No dots (they break TLS for virtual-hosted-style requests), though S3 allows them.
        "s3_bucket_name": (
            ["abc", "imgclass-uploads-123456789012", "a" * 63],
            ["ab", "a" * 64, "Uploads", "my.bucket", "-leading", "trailing-", "s3://bucket"],
        ),
    }
    for name, (good, bad) in matches.items():
        pattern = re.compile(AWS_ID_PATTERNS[name])
        assert all(pattern.match(v) for v in good), name
        assert not any(pattern.match(v) for v in bad), name
    assert (
        'aws_id_pattern = jsondecode(file("${path.module}/../_shared/aws_id_patterns.json")).patterns'
        in (SHARED / "aws_id_patterns.tf").read_text()
    )
    assert (
        'aws_id_pattern = jsondecode(file("${path.module}/../modules/_shared/aws_id_patterns.json")).patterns'
        in (REPO_ROOT / "terraform" / "locals.tf").read_text()
    )
    assert (
        'aws_id_pattern = jsondecode(file("${path.module}/../../modules/_shared/aws_id_patterns.json")).patterns'
        in (REPO_ROOT / "terraform" / "bootstrap" / "main.tf").read_text()
    )
    assert id_format_copies(REPO_ROOT) == []


# What an identifier format cannot say in RE2 and so every validation that reads it says beside it:
# a !strcontains(<value>, "--") for each read (the value may itself be a call, such as try(...)).
_ALSO_CHECKED = {"db_instance_identifier": re.compile(r'!strcontains\((?:[^()]|\([^()]*\))*,\s*"--"\)')}


def unchecked_readers(root: Path) -> list[str]:
    """Conditions that read a format of _ALSO_CHECKED without the rule that goes with it, once per read."""
    found = []
    for tf in sorted([*root.glob("modules/**/*.tf"), *root.glob("terraform/**/*.tf")]):
        if ".terraform" in tf.parts or tf.is_symlink():
            continue
        for line in tf.read_text().splitlines():
            for name, rule in _ALSO_CHECKED.items():
                reads = line.count(f"local.aws_id_pattern.{name}")
                if len(rule.findall(line)) < reads:
                    found.append(f"{tf.relative_to(root).as_posix()}: {line.strip()}")
    return found


def test_a_validation_that_reads_a_format_checks_what_the_format_cannot():
    assert unchecked_readers(REPO_ROOT) == []


def test_a_reader_that_forgets_the_double_hyphen_rule_is_found(tmp_path: Path):
    (tmp_path / "modules" / "db").mkdir(parents=True)
    (tmp_path / "modules" / "db" / "variables.tf").write_text(
        'variable "db" {\n  validation {\n'
        "    condition     = can(regex(local.aws_id_pattern.db_instance_identifier, var.db))\n"
        '    error_message = "no"\n  }\n}\n'
    )
    assert unchecked_readers(tmp_path) == [
        "modules/db/variables.tf: condition     = can(regex(local.aws_id_pattern.db_instance_identifier, var.db))"
    ]


def test_a_copy_of_an_identifier_format_is_found(tmp_path: Path):
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "arns.py").write_text(
        'KMS = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/(mrk-)?[0-9a-fA-F-]+$")\n'
    )
    assert id_format_copies(tmp_path) == ["scripts/arns.py"]
