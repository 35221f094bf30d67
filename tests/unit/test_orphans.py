"""The orphan finder on the emulator: a deliberately orphaned resource is found with its import line,
a state that knows everything is clean, and bad input is one line with exit 2."""

from __future__ import annotations

import json
import subprocess

import pytest

from scripts.orphans import Orphan, StateIndex, find_orphans, import_line, load_state
from scripts.orphans.catalog import LiveResource
from scripts.orphans.inputs import aws_clients
from scripts.terraform.tf import unique_name
from tests.support.cli import run_cli


def _instance(rtype: str, label: str, **attrs: str) -> dict:
    return {"mode": "managed", "type": rtype, "name": label, "instances": [{"attributes": attrs}]}


@pytest.fixture(scope="module")
def platform(emulator):
    """What an apply of one environment leaves in AWS: tagged and untagged kinds, all under one prefix."""
    service = unique_name("orph", 14)
    env = "dev"
    prefix = f"{service}-{env}"
    tags = {"Service": service, "Environment": env}
    sqs, iam, kms, logs = (emulator.client(s) for s in ("sqs", "iam", "kms", "logs"))
    queue_url = sqs.create_queue(QueueName=f"{prefix}-jobs", tags=tags)["QueueUrl"]
    orphan_url = sqs.create_queue(QueueName=f"{prefix}-orphan", tags=tags)["QueueUrl"]
    role = f"{prefix}-worker"
    iam.create_role(
        RoleName=role,
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            }
        ),
        Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
    )
    iam.put_role_policy(
        RoleName=role,
        PolicyName="read-queue",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": "*"}],
            }
        ),
    )
    key = kms.create_key(Tags=[{"TagKey": k, "TagValue": v} for k, v in tags.items()])["KeyMetadata"]
    alias = f"alias/{prefix}/platform"
    kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
    log_group = f"/{service}/{env}/worker"
    logs.create_log_group(logGroupName=log_group, tags=tags)
    known = {
        "version": 4,
        "resources": [
            _instance(
                "aws_sqs_queue", "jobs", id=queue_url, arn=f"arn:aws:sqs:{emulator.region}:123456789012:{prefix}-jobs"
            ),
            _instance("aws_iam_role", "worker", id=role, name=role, arn=f"arn:aws:iam::123456789012:role/{role}"),
            _instance("aws_iam_role_policy", "worker", id=f"{role}:read-queue", name="read-queue", role=role),
            _instance("aws_kms_key", "platform", id=key["KeyId"], arn=key["Arn"], key_id=key["KeyId"]),
            _instance("aws_kms_alias", "platform", id=alias, name=alias),
            _instance("aws_cloudwatch_log_group", "worker", id=log_group, name=log_group),
        ],
    }
    everything = json.loads(json.dumps(known))
    everything["resources"].append(
        _instance(
            "aws_sqs_queue", "orphan", id=orphan_url, arn=f"arn:aws:sqs:{emulator.region}:123456789012:{prefix}-orphan"
        )
    )
    yield {
        "service": service,
        "env": env,
        "prefix": prefix,
        "orphan_url": orphan_url,
        "known": known,
        "all": everything,
    }
    sqs.delete_queue(QueueUrl=queue_url)
    sqs.delete_queue(QueueUrl=orphan_url)
    iam.delete_role_policy(RoleName=role, PolicyName="read-queue")
    iam.delete_role(RoleName=role)
    kms.delete_alias(AliasName=alias)
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    logs.delete_log_group(logGroupName=log_group)


@pytest.mark.emulator
def test_a_resource_missing_from_state_is_an_orphan_with_its_import_id(platform, emulator):
    state = StateIndex.from_state(platform["known"], "test")
    orphans = find_orphans(emulator.client, state, platform["service"], platform["env"])
    assert [(o.resource.rtype, o.resource.import_id) for o in orphans] == [("aws_sqs_queue", platform["orphan_url"])]


@pytest.mark.emulator
def test_a_state_that_knows_everything_is_clean(platform, emulator):
    state = StateIndex.from_state(platform["all"], "test")
    assert find_orphans(emulator.client, state, platform["service"], platform["env"]) == []


@pytest.mark.emulator
def test_untagged_kinds_are_found_by_name_prefix(platform, emulator):
    """An empty state: inline role policies and KMS aliases (never tagged) are orphans too."""
    state = StateIndex.from_state({"version": 4, "resources": []}, "test")
    found = {
        (o.resource.rtype, o.resource.import_id)
        for o in find_orphans(emulator.client, state, platform["service"], platform["env"])
    }
    prefix = platform["prefix"]
    assert ("aws_iam_role_policy", f"{prefix}-worker:read-queue") in found
    assert ("aws_kms_alias", f"alias/{prefix}/platform") in found
    assert ("aws_iam_role", f"{prefix}-worker") in found
    assert ("aws_cloudwatch_log_group", f"/{platform['service']}/dev/worker") in found
    assert {rtype for rtype, _ in found} >= {"aws_kms_key", "aws_sqs_queue"}


def test_a_plan_names_the_address_of_the_import():
    queue = LiveResource("aws_sqs_queue", "https://sqs/q-jobs", "arn:aws:sqs:eu-west-1:1:q-jobs", "q-jobs")
    plan = {
        "resource_changes": [
            {
                "address": "aws_sqs_queue.dlq",
                "type": "aws_sqs_queue",
                "change": {"actions": ["create"], "after": {"name": "q-dlq"}},
            },
            {
                "address": "aws_sqs_queue.jobs",
                "type": "aws_sqs_queue",
                "change": {"actions": ["create"], "after": {"name": "q-jobs"}},
            },
        ]
    }
    from scripts.orphans.finder import planned_address

    address = planned_address(queue, plan)
    assert address == "aws_sqs_queue.jobs"
    assert (
        import_line(Orphan(queue, address)) == "terraform -chdir=terraform import aws_sqs_queue.jobs https://sqs/q-jobs"
    )
    assert import_line(Orphan(queue)) == "terraform -chdir=terraform import '<ADDRESS>' https://sqs/q-jobs"


def test_state_file_errors_are_one_line(tmp_path):
    from scripts.errors import UsageError

    with pytest.raises(UsageError, match="cannot read Terraform state"):
        load_state(tmp_path / "missing.tfstate")
    (tmp_path / "list.json").write_text("[]")
    with pytest.raises(UsageError, match="is not a Terraform state"):
        load_state(tmp_path / "list.json")


def _cli(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run_cli("orphans", *argv, unset_prefixes=("AWS_",), env=env)


@pytest.mark.emulator
def test_cli_exit_1_lists_the_orphan_and_exit_0_when_clean(platform, emulator, tmp_path):
    known = tmp_path / "known.tfstate"
    known.write_text(json.dumps(platform["known"]))
    complete = tmp_path / "complete.tfstate"
    complete.write_text(json.dumps(platform["all"]))
    common = ["--env", "dev", "--service", platform["service"]]
    found = _cli(*common, "--state", str(known), env=emulator.env())
    assert found.returncode == 1, found.stderr
    assert f"import '<ADDRESS>' {platform['orphan_url']}" in found.stdout
    assert found.stdout.startswith("1 resource(s) of dev exist in AWS but not in the state:")
    clean = _cli(*common, "--state", str(complete), env=emulator.env())
    assert clean.returncode == 0, clean.stderr + clean.stdout
    assert "no orphans" in clean.stdout


def test_cli_unreachable_aws_is_exit_2_and_one_line(tmp_path):
    """With the tool's own retry settings (no AWS_MAX_ATTEMPTS): three attempts, then one line."""
    state = tmp_path / "known.tfstate"
    state.write_text(json.dumps({"version": 4, "resources": [_instance("aws_sqs_queue", "jobs", id="q")]}))
    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}
    proc = _cli("--env", "dev", "--state", str(state), "--region", "eu-west-1", env=env)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    [line] = proc.stderr.splitlines()
    assert line.startswith("error: listing the dev resources in AWS failed: Could not connect to the endpoint URL")


def _attempts(region: str) -> int:
    """How often one call is sent when every answer is a 503 (retried in standard mode), and the waits."""
    from botocore.awsrequest import AWSResponse
    from botocore.exceptions import ClientError

    sqs = aws_clients(region)("sqs")
    sent: list[str] = []

    class Empty:
        def stream(self, *_args: object, **_kwargs: object) -> list[bytes]:
            return [b""]

    def answer_503(request, **_kwargs):
        sent.append(request.url)
        return AWSResponse(request.url, 503, {}, Empty())

    sqs.meta.events.register("before-send.sqs", answer_503)
    with pytest.raises(ClientError):
        sqs.list_queues()
    return len(sent)


def test_clients_retry_in_standard_mode_three_times_unless_the_environment_says_otherwise(monkeypatch):
    """A throttled or failing call is retried with backoff (3 attempts in all, standard mode's default),
    AWS_MAX_ATTEMPTS still decides when set, and a dead endpoint costs seconds, not minutes."""
    waits: list[float] = []
    monkeypatch.setattr("botocore.endpoint.time.sleep", waits.append)
    monkeypatch.delenv("AWS_MAX_ATTEMPTS", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    for key, value in {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}.items():
        monkeypatch.setenv(key, value)
    assert _attempts("eu-west-1") == 3
    assert len(waits) == 2 and all(0 <= w <= 2 for w in waits), waits  # backoff: random up to 2**attempt s
    config = aws_clients("eu-west-1")("sqs").meta.config
    assert (config.connect_timeout, config.read_timeout) == (3, 30)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "5")
    assert _attempts("eu-west-1") == 5
