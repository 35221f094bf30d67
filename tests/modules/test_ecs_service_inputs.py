"""modules/ecs-service: every rejected input fails the plan with a message that says what to fix."""

from __future__ import annotations

import pytest

from tests.harness import assert_rejected, module_workspace, set_module_inputs

pytestmark = pytest.mark.emulator

ACCOUNT = "123456789012"
IMAGE = f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/imgclass/api"
LISTENER = (
    f"arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}:listener/app/imgclass-dev/50dc6c495c0c9188/f2f7dc8efc522ab2"
)
LB = {"listener_arn": LISTENER, "security_group_id": "sg-1a1b2c3d4e5f60718"}

VALID = {
    "name": "imgclass-api",
    "image": f"{IMAGE}:1.4.2",
    "cluster_arn": f"arn:aws:ecs:eu-west-1:{ACCOUNT}:cluster/imgclass-dev",
    "vpc_id": "vpc-0a1b2c3d4e5f60718",
    "subnet_ids": ["subnet-0a1b2c3d4e5f60718"],
    "container_port": 8080,
    "db_pool_size": 5,
    "load_balancer": LB,
}

CASES = [
    # The cases the issue names.
    (
        {"cpu": 256, "memory": 4096},
        "memory 4096 MiB is not a valid Fargate size for cpu 256. Valid combinations: cpu 256: 512, 1024, 2048;",
    ),
    ({"cpu": 300}, "cpu must be one of 256, 512, 1024, 2048, 4096, 8192, 16384"),
    ({"min_capacity": 5, "max_capacity": 2}, "min_capacity (5) must not be above max_capacity (2)"),
    ({"load_balancer": {**LB, "health_check_path": "health"}}, 'load_balancer.health_check_path must start with "/"'),
    ({"image": IMAGE}, "image must name a tag or a digest"),
    ({"image": "registry.example.com:5000/imgclass/api"}, "image must name a tag or a digest"),
    (
        {"image": f"{IMAGE}:latest"},
        "image must not use the :latest tag while allow_latest_image_tag is false",
    ),
    ({"container_port": 70000}, "container_port must be a whole number from 1 to 65535"),
    ({"db_pool_size": 0}, "db_pool_size must be a whole number of connections per task, at least 1"),
    (
        {"load_balancer": {"security_group_id": "sg-1a1b2c3d4e5f60718"}},
        "load_balancer.listener_arn is required for a load-balanced service",
    ),
    ({"secrets": {"DB_PASSWORD": "hunter2"}}, "never the secret values themselves"),
    # Further guards.
    ({"environment_variables": {"DB_PASSWORD": "hunter2"}}, "looks like a secret"),
    ({"environment_variables": {"DB_POOL_SIZE": "50"}}, "must not set DB_POOL_SIZE"),
    ({"user": "0:0"}, "user must be a non-root user"),
    ({"container_port": None}, "container_port is required when load_balancer is set"),
    ({"load_balancer": {"listener_arn": LISTENER}}, "load_balancer.security_group_id is required"),
    (
        {
            "scheduled_scaling": [
                {"name": "peak", "schedule": "cron(0 8 * * ? *)", "min_capacity": 1, "max_capacity": 9}
            ]
        },
        "can never exceed the database connection budget",
    ),
    (
        {
            "load_balancer": None,
            "queue_scaling": {
                "queue_name": "https://sqs.eu-west-1.amazonaws.com/1/jobs",
                "backlog_per_task_target": 10,
            },
        },
        "queue_scaling needs queue_name (an SQS queue name, not a URL or ARN)",
    ),
    (
        {"permissions_boundary": "arn:aws:iam::123456789012:role/boundary"},
        "permissions_boundary must be null or an IAM policy ARN",
    ),
    (
        {"task_role_statements": [{"actions": ["*"], "resources": ["*"]}]},
        'task_role_statements must not allow the "*" action',
    ),
    (
        {"deployment_alarm_names": ["imgclass-dev-lb-5xx-rate,imgclass-dev-lb-p99-latency"]},
        "deployment_alarm_names entries must be CloudWatch alarm names of 1-255 characters without a comma",
    ),
    ({"deployment_alarm_names": ["a" * 256]}, "CloudWatch alarm names of 1-255 characters"),
    (
        {"deployment_alarm_names": ["imgclass-dev-lb-5xx-rate", "imgclass-dev-lb-5xx-rate"]},
        "deployment_alarm_names must not list an alarm twice",
    ),
]


@pytest.fixture(scope="module")
def ws(emulator, tmp_path_factory):
    # One initialised root for every case: each case only rewrites the module block.
    return module_workspace("ecs-service", VALID, emulator, tmp_path_factory.mktemp("ecsinputs"))


@pytest.mark.parametrize(("bad", "message"), CASES, ids=[next(iter(c[0])) + f"-{i}" for i, c in enumerate(CASES)])
def test_rejected(ws, bad, message):
    set_module_inputs(ws, {**VALID, **bad})
    assert_rejected(ws, None, message)
