"""The embedded emulator serves concurrent requests the way Terraform sends them: no 5xx, nothing twice.

Terraform's provider calls the emulator from up to ten goroutines at once (``-parallelism=10``), and
moto's backends are plain dicts: a DescribeAlarms that iterates ``alarms`` while a PutMetricAlarm
inserts one fails with ``RuntimeError: dictionary changed size during iteration`` (HTTP 500), and
KMS's CreateAlias / ListAliases iterate ``keys`` while CreateKey inserts. The provider retries a 500,
so a call that had already changed the state comes back as ``AlreadyExistsException``.

Each test runs many client threads against one embedded emulator with the interpreter's thread switch
interval cut to a few microseconds (so that a thread is preempted inside moto's loops, which the
default 5 ms interval makes rare but not impossible), and asserts every call answered without a 5xx
and every resource exists exactly once. Retries are off, so a 5xx cannot be hidden by a second
attempt. The race tests run twice: on the plain server (`make demo`) and with the request recorder
in front, whose callback reads moto's state while other requests change it (the IAM proof).
Loopback only, a fixed number of calls.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from scripts.emulator import Emulator
from scripts.emulator.faults import FaultPlan, FaultRule
from scripts.emulator.recorder import Call, CallBus
from scripts.emulator.server import FAKE_ACCESS_KEY, FAKE_SECRET_KEY
from tests.faults.support import faulty_emulator

# Every test here starts embedded emulators (no Terraform): `make test` runs them, `make check` does not.
pytestmark = pytest.mark.emulator

THREADS = 10  # the provider's default -parallelism
ROUNDS = 30
KEYS = 2
JOIN_TIMEOUT = 120.0


class StateReader:
    """A recorder sink that reads moto's state for each call, as the IAM proof's ``CallLog`` does
    (tags, policies): it iterates the alarms and every key's aliases that other requests insert into."""

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id = account_id
        self.region = region
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, call: Call) -> None:
        from moto.cloudwatch.models import cloudwatch_backends
        from moto.kms.models import kms_backends

        cw = cloudwatch_backends[self.account_id][self.region]
        tags = {a.name: cw.tagger.get_tag_dict_for_resource(a.alarm_arn) for a in cw.alarms.values()}
        kms = kms_backends[self.account_id][self.region]
        targets = {name: alias.target_key_id for key in kms.keys.values() for name, alias in key.aliases.items()}
        assert all(isinstance(t, dict) for t in tags.values()) and all(targets.values())
        with self._lock:
            self.calls[call.operation] += 1


@pytest.fixture(scope="module", params=["plain", "recorded"])
def served(request: pytest.FixtureRequest) -> Iterator[tuple[Emulator, StateReader | None, str]]:
    """(emulator, recorder sink or None, name prefix): moto's state is shared by every emulator of the
    process, so each variant names its resources apart."""
    reader = StateReader("123456789012", "eu-west-1") if request.param == "recorded" else None
    bus = CallBus()
    if reader is not None:
        bus.subscribe(reader)
    with Emulator(on_call=bus if reader is not None else None) as emulator:
        # The recorder's first calls load botocore's service models (seconds of CPU, once per
        # process): done here, one call at a time, so the races below are not timed against it.
        emulator.client("cloudwatch").describe_alarms(AlarmNames=["warm-up"])
        emulator.client("kms").list_aliases()
        emulator.client("sqs").list_queues()
        if reader is not None:
            reader.calls.clear()
        yield emulator, reader, f"race-{request.param}"


@pytest.fixture
def preemptive() -> Iterator[None]:
    """Switch threads every few microseconds, so that concurrent requests really interleave in moto."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


class Statuses:
    """The HTTP status of every answer, counted before botocore parses it (werkzeug's own 500 page is
    not even valid XML or JSON, and would otherwise show up only as a parser error)."""

    def __init__(self) -> None:
        self.seen: Counter[int] = Counter()
        self._lock = threading.Lock()

    def __call__(self, response_dict: dict[str, Any], **_: Any) -> None:
        with self._lock:
            self.seen[response_dict["status_code"]] += 1

    def server_errors(self) -> dict[int, int]:
        return {status: n for status, n in self.seen.items() if status >= 500}


def _client(emu: Emulator, service: str, statuses: Statuses) -> Any:
    client = boto3.client(
        service,
        endpoint_url=emu.endpoint_url,
        region_name=emu.region,
        aws_access_key_id=FAKE_ACCESS_KEY,
        aws_secret_access_key=FAKE_SECRET_KEY,
        # One attempt: a retried 5xx would hide the failure (and, for a call that had changed state
        # before failing, turn into the AlreadyExistsException seen in `make demo`).
        config=Config(
            retries={"total_max_attempts": 1, "mode": "standard"},
            max_pool_connections=THREADS,
            connect_timeout=10,
            read_timeout=60,
        ),
    )
    client.meta.events.register("before-parse", statuses)
    return client


def _run(workers: list[Callable[[], None]]) -> list[str]:
    """Start every worker at once; the failures they raised, one line each."""
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(len(workers))

    def wrap(work: Callable[[], None]) -> None:
        try:
            start.wait(timeout=30)
            work()
        except ClientError as exc:
            meta = exc.response.get("ResponseMetadata", {})
            error = exc.response.get("Error", {})
            with lock:
                failures.append(f"{meta.get('HTTPStatusCode')} {error.get('Code')}: {error.get('Message')}")
        except Exception as exc:
            with lock:
                failures.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=wrap, args=(w,), daemon=True) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(JOIN_TIMEOUT)
    hung = sum(t.is_alive() for t in threads)
    assert not hung, f"{hung} worker thread(s) still running after {JOIN_TIMEOUT} s"
    return failures


def test_concurrent_alarm_puts_and_describes_all_succeed(
    served: tuple[Emulator, StateReader | None, str], preemptive: None
) -> None:
    emu, reader, prefix = served
    statuses = Statuses()
    clients = [_client(emu, "cloudwatch", statuses) for _ in range(THREADS)]

    def worker(n: int) -> Callable[[], None]:
        def work() -> None:
            cw = clients[n]
            for i in range(ROUNDS):
                name = f"{prefix}-{n}-{i}"
                cw.put_metric_alarm(
                    AlarmName=name,
                    Namespace="AWS/ECS",
                    MetricName="CPUUtilization",
                    Statistic="Average",
                    Period=60,
                    EvaluationPeriods=1,
                    Threshold=80.0,
                    ComparisonOperator="GreaterThanThreshold",
                )
                # The provider reads each alarm back by name right after putting it.
                found = cw.describe_alarms(AlarmNames=[name])["MetricAlarms"]
                assert [a["AlarmName"] for a in found] == [name]

        return work

    failures = _run([worker(n) for n in range(THREADS)])

    assert statuses.server_errors() == {}
    assert failures == []
    assert statuses.seen == {200: 2 * THREADS * ROUNDS}
    names = Counter(
        a["AlarmName"]
        for page in _client(emu, "cloudwatch", Statuses())
        .get_paginator("describe_alarms")
        .paginate(AlarmNamePrefix=f"{prefix}-")
        for a in page["MetricAlarms"]
    )
    assert names == Counter({f"{prefix}-{n}-{i}": 1 for n in range(THREADS) for i in range(ROUNDS)})
    if reader is not None:
        assert reader.calls["PutMetricAlarm"] == THREADS * ROUNDS


def test_concurrent_aliases_are_created_exactly_once(
    served: tuple[Emulator, StateReader | None, str], preemptive: None
) -> None:
    emu, reader, prefix = served
    # Few keys, many aliases: moto keeps a key's aliases in a dict of that key, which ListAliases
    # iterates while another thread's CreateAlias on the same key inserts into it. Each worker also
    # creates one key of its own midway (CreateKey inserts into the dict of keys that CreateAlias and
    # ListAliases iterate), as the modules of one apply create their keys while others alias theirs.
    statuses = Statuses()
    setup = _client(emu, "kms", Statuses())
    keys = [setup.create_key(Description=f"race {k}")["KeyMetadata"]["KeyId"] for k in range(KEYS)]
    clients = [_client(emu, "kms", statuses) for _ in range(THREADS)]
    expected: dict[str, str] = {}
    expected_lock = threading.Lock()

    def worker(n: int) -> Callable[[], None]:
        def work() -> None:
            kms = clients[n]
            for i in range(ROUNDS):
                alias = f"alias/{prefix}-{n}-{i}"
                key = (
                    kms.create_key(Description=f"race {n}")["KeyMetadata"]["KeyId"] if i == n else keys[(n + i) % KEYS]
                )
                kms.create_alias(AliasName=alias, TargetKeyId=key)
                with expected_lock:
                    expected[alias] = key
                # The provider reads a new alias back by listing every alias and picking it by name.
                listed = [
                    a["AliasName"] for page in kms.get_paginator("list_aliases").paginate() for a in page["Aliases"]
                ]
                assert listed.count(alias) == 1

        return work

    failures = _run([worker(n) for n in range(THREADS)])

    assert statuses.server_errors() == {}
    assert failures == []
    listed = [
        (a["AliasName"], a.get("TargetKeyId"))
        for page in setup.get_paginator("list_aliases").paginate()
        for a in page["Aliases"]
        if a["AliasName"].startswith(f"alias/{prefix}-")
    ]
    assert len(expected) == THREADS * ROUNDS
    assert Counter(name for name, _ in listed) == Counter(dict.fromkeys(expected, 1))
    assert dict(listed) == expected
    if reader is not None:
        assert reader.calls["CreateAlias"] == THREADS * ROUNDS


def test_injected_latency_does_not_serialize_requests() -> None:
    # The fault injector sleeps in front of moto's dispatch: ten delayed calls overlap their delays.
    delay = 0.5
    plan = FaultPlan(
        rules=[FaultRule(service="cloudwatch", operation="DescribeAlarms", latency=delay)], clients=("Boto3/",)
    )
    with faulty_emulator(plan) as faulty:
        statuses = Statuses()
        clients = [_client(faulty, "cloudwatch", statuses) for _ in range(THREADS)]
        # The injector's first calls load botocore's service models (seconds of CPU): not measured.
        for _ in range(2):
            clients[0].describe_alarms(AlarmNames=["none"])
        warm = plan.calls[("cloudwatch", "DescribeAlarms")]
        statuses.seen.clear()
        took: list[float] = []

        def worker(n: int) -> Callable[[], None]:
            def work() -> None:
                start = time.monotonic()
                clients[n].describe_alarms(AlarmNames=["none"])
                took.append(time.monotonic() - start)

            return work

        start = time.monotonic()
        failures = _run([worker(n) for n in range(THREADS)])
        elapsed = time.monotonic() - start

    assert failures == []
    assert statuses.seen == {200: THREADS}
    assert plan.calls[("cloudwatch", "DescribeAlarms")] - warm == THREADS
    assert min(took) >= delay
    # Serialized, the ten delays would add up to 5 s.
    assert elapsed < THREADS * delay / 2, f"{THREADS} calls delayed {delay} s each took {elapsed:.1f} s"


def test_a_long_poll_lets_other_requests_through(served: tuple[Emulator, StateReader | None, str]) -> None:
    emu, _, prefix = served
    # ReceiveMessage waits inside moto's dispatch for a message; the SendMessage it waits for must be
    # served meanwhile, not after the poll gave up.
    wait = 5
    sqs = _client(emu, "sqs", Statuses())
    url = sqs.create_queue(QueueName=f"{prefix}-long-poll")["QueueUrl"]
    received: list[list[str]] = []

    def poll() -> None:
        answer = _client(emu, "sqs", Statuses()).receive_message(QueueUrl=url, WaitTimeSeconds=wait)
        received.append([m["Body"] for m in answer.get("Messages", [])])

    poller = threading.Thread(target=poll, daemon=True)
    start = time.monotonic()
    poller.start()
    time.sleep(1)  # the poll is waiting in moto by now
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    sent = time.monotonic() - start
    poller.join(wait + 10)

    assert received == [["hello"]]
    assert sent < wait, f"SendMessage waited {sent:.1f} s for the long poll"
    sqs.delete_queue(QueueUrl=url)
