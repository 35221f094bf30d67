"""The fault injector on its own, through boto3 (an SDK parses each error as it would AWS's): each
protocol gets its service's throttling code and status, a faulted call has no side effect, STS and
other clients are never faulted, the same seed gives the same faults, and retries are counted."""

from __future__ import annotations

import contextlib
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from scripts.emulator.faults import FaultPlan, FaultRule
from scripts.terraform.tf import unique_name
from tests.faults.support import faulty_emulator

# Every test but test_shares_are_checked starts an embedded emulator: marked emulator, so `make test`
# runs them and `make check` does not.
# boto3's User-Agent starts with "Boto3/": the plan targets it here instead of Terraform.
BOTO = ("Boto3/",)


def client(emu, service: str, attempts: int = 1):
    return boto3.client(
        service,
        endpoint_url=emu.endpoint_url,
        region_name=emu.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": attempts, "mode": "standard"}, s3={"addressing_style": "path"}),
    )


@pytest.fixture(scope="module")
def throttled(emulator):
    plan = FaultPlan(rules=[FaultRule(throttle=1.0)], seed=7, clients=BOTO)
    with faulty_emulator(plan) as emu:
        yield plan, emu


@pytest.mark.emulator
@pytest.mark.parametrize(
    ("service", "call", "code", "status"),
    [
        ("s3", lambda c: c.list_buckets(), "SlowDown", 503),
        ("ec2", lambda c: c.describe_vpcs(), "RequestLimitExceeded", 503),
        ("iam", lambda c: c.list_roles(), "Throttling", 400),
        ("elbv2", lambda c: c.describe_load_balancers(), "Throttling", 400),
        ("rds", lambda c: c.describe_db_instances(), "Throttling", 400),
        ("ecs", lambda c: c.list_clusters(), "ThrottlingException", 400),
        ("kms", lambda c: c.list_keys(), "ThrottlingException", 400),
        ("sqs", lambda c: c.list_queues(), "ThrottlingException", 400),
    ],
)
def test_throttles_in_the_service_protocol(throttled, service, call, code, status):
    _plan, emu = throttled
    with pytest.raises(ClientError) as err:
        call(client(emu, service))
    assert err.value.response["Error"]["Code"] == code
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == status


@pytest.mark.emulator
def test_a_faulted_call_has_no_side_effect(throttled, aws):
    _plan, emu = throttled
    name = unique_name("fault-q")
    with pytest.raises(ClientError):
        client(emu, "sqs").create_queue(QueueName=name)
    assert not aws("sqs").list_queues(QueueNamePrefix=name).get("QueueUrls")


@pytest.mark.emulator
def test_sts_and_other_clients_are_never_faulted(throttled):
    plan, emu = throttled
    assert client(emu, "sts").get_caller_identity()["Account"]
    plan.clients = ("Terraform",)
    try:
        assert "Buckets" in client(emu, "s3").list_buckets()
    finally:
        plan.clients = BOTO


def _outcomes(seed: int) -> list[str]:
    plan = FaultPlan(rules=[FaultRule(service="iam", throttle=0.3, error=0.3)], seed=seed, clients=BOTO)
    outcomes = []
    with faulty_emulator(plan) as emu:
        iam = client(emu, "iam")
        for _ in range(12):
            try:
                iam.list_roles()
                outcomes.append("ok")
            except ClientError as exc:
                outcomes.append(exc.response["Error"]["Code"])
    assert plan.total("throttle") + plan.total("error") == sum(o != "ok" for o in outcomes)
    return outcomes


@pytest.mark.emulator
def test_a_seed_repeats_its_faults(emulator):
    first = _outcomes(3)
    assert {"Throttling", "InternalFailure", "ServiceUnavailable"} & set(first), first
    assert _outcomes(3) == first
    assert _outcomes(4) != first


@pytest.mark.emulator
def test_retries_of_faulted_calls_are_counted(emulator):
    plan = FaultPlan(rules=[FaultRule(service="iam", throttle=0.5)], seed=11, clients=BOTO)
    with faulty_emulator(plan) as emu:
        iam = client(emu, "iam", attempts=2)
        for _ in range(6):
            # A call faulted twice is given up by the SDK after its 2 attempts.
            with contextlib.suppress(ClientError):
                iam.list_roles()
    assert plan.total("throttle") > 0
    assert sum(plan.retried.values()) >= 1
    assert plan.max_attempts_seen == 2


@pytest.mark.emulator
def test_latency_is_added_to_passed_calls(emulator):
    plan = FaultPlan(rules=[FaultRule(service="iam", operation="ListRoles", latency=0.3)], clients=BOTO)
    with faulty_emulator(plan) as emu:
        iam = client(emu, "iam")
        start = time.monotonic()
        iam.list_roles()
        assert time.monotonic() - start >= 0.3
        start = time.monotonic()
        iam.list_users()
        assert time.monotonic() - start < 0.3


def test_shares_are_checked():
    with pytest.raises(ValueError, match="exceed 1"):
        FaultRule(throttle=0.7, error=0.5)
