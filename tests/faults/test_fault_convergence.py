"""Applies that meet throttling and transient 5xx converge: applied, clean re-plan, clean destroy.

Not the whole platform (about 5 minutes of apply and 3 of destroy on 2 cores, on top of the platform
apply test): two module examples that together make the provider speak every protocol the platform's
services use, so every error path of the SDK's retryer is taken:

- private-s3/complete: S3 (REST-XML: SlowDown 503, InternalError 500) with the lifecycle waiter that
  polls for 55 s, and KMS (JSON 1.1);
- ecs-service/worker: EC2 (its own XML: RequestLimitExceeded 503), IAM (query: Throttling 400), SQS,
  ECS, CloudWatch Logs, KMS and Application Auto Scaling (JSON), CloudWatch (query).

The platform's other services (ELBv2, RDS, SNS: query; ECR, SSM, Secrets Manager, WAFv2: JSON) use
the same protocols, and every service client of the provider gets the same retryer from
``max_retries``; what differs per resource, the provider's own waiters and eventual-consistency retries
(IAM role propagation, S3 lifecycle polling, SQS attribute polling), is exercised here under faults.
"""

from __future__ import annotations

import concurrent.futures
import time

import pytest

from scripts.emulator.faults import FaultPlan, FaultRule
from scripts.terraform.tf import TerraformError, Workspace, unique_name
from tests.faults.support import USER_MAX_RETRIES, faulty_emulator, retrying_workspace
from tests.harness import assert_idempotent

pytestmark = [pytest.mark.emulator, pytest.mark.slow]

SEED = 1515
# A share of every Terraform call throttled, another answered 500/503, each passed call slowed a little.
RULES = [FaultRule(service="*", operation="*", throttle=0.15, error=0.10, latency=0.02)]
EXAMPLES = {
    "s3": ("modules/private-s3/examples/complete", lambda: {"name": unique_name("flt-s3"), "force_destroy": True}),
    "worker": ("modules/ecs-service/examples/worker", lambda: {"name": unique_name("fltw", 20)}),
}


def _destroy(ws: Workspace) -> None:
    try:
        ws.destroy()
    except TerraformError:
        ws.destroy("-refresh=false")


@pytest.fixture(scope="module")
def converged(tc, emulator, tmp_path_factory):
    """Both examples applied at once under faults; destroyed (under faults) in the finalizer."""
    plan = FaultPlan(rules=list(RULES), seed=SEED)
    with faulty_emulator(plan) as faulty:
        workspaces: dict[str, Workspace] = {}
        for key, (example, tf_vars) in EXAMPLES.items():
            ws = retrying_workspace(example, faulty, tmp_path_factory.mktemp(f"fault-{key}"))
            ws.init()
            ws.set_vars(tf_vars())
            workspaces[key] = ws
        timings: dict[str, float] = {}
        try:
            start = time.monotonic()
            with concurrent.futures.ThreadPoolExecutor(max_workers=len(workspaces)) as pool:
                futures = {key: pool.submit(ws.apply) for key, ws in workspaces.items()}
                for future in futures.values():
                    future.result()
            timings["apply"] = time.monotonic() - start
            outputs = {key: ws.output() for key, ws in workspaces.items()}
            yield plan, workspaces, outputs, timings
        finally:
            start = time.monotonic()
            with concurrent.futures.ThreadPoolExecutor(max_workers=len(workspaces)) as pool:
                list(pool.map(_destroy, workspaces.values()))
            timings["destroy"] = time.monotonic() - start
            print("\n".join(["", *plan.report_lines(), f"timings: {timings}"]))
            left = {key: ws.state_resources() for key, ws in workspaces.items()}
            assert not any(left.values()), f"destroy under faults left resources in state: {left}"


def test_provider_retries_as_configured(converged):
    """The override's max_retries reaches the SDK: the provider hands it over as the SDK's maximum number
    of attempts (measured: ``amz-sdk-request: attempt=N; max=25``), so a call is tried 25 times."""
    plan, *_ = converged
    assert plan.max_attempts_seen == USER_MAX_RETRIES


def test_faults_of_every_kind_were_injected_and_retried(converged):
    plan, *_ = converged
    summary = plan.summary()
    assert summary["throttled"] > 0 and summary["server_errors"] > 0, summary
    assert summary["retried"] > 0, summary
    services = {svc for (svc, _op, _kind) in plan.injected}
    # Each protocol family met faults: REST-XML, EC2, query and JSON.
    assert {"s3", "ec2", "iam", "sqs", "ecs"} <= services, services


def test_every_faulted_mutation_came_back(converged):
    """A faulted create or put did nothing; the apply succeeded, so each one was retried."""
    plan, *_ = converged
    mutations = [
        (svc, op) for (svc, op, _kind) in plan.injected if op.startswith(("Create", "Put", "Register", "Attach", "Tag"))
    ]
    assert mutations, "no mutating call was faulted: raise the shares or change the seed"
    missing = [m for m in mutations if plan.retried[m] == 0]
    assert not missing, f"faulted mutations never retried: {missing}"


def test_applied_resources_read_back(converged, aws):
    _plan, _ws, outputs, _t = converged
    s3 = aws("s3")
    bucket = outputs["s3"]["bucket_id"]
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rules, "the lifecycle configuration was applied"
    worker = outputs["worker"]
    (service,) = aws("ecs").describe_services(cluster=worker["cluster_name"], services=[worker["service_name"]])[
        "services"
    ]
    assert service["status"] == "ACTIVE"
    assert aws("sqs").get_queue_url(QueueName=worker["queue_name"])["QueueUrl"]


def test_replan_under_faults_is_clean(converged):
    _plan, workspaces, _out, _t = converged
    for ws in workspaces.values():
        assert_idempotent(ws)
