"""modules/ecs-service: validate and plans of both shapes checked in Python (no apply); the examples'
inventories are data, in examples/api/tests/inventory.toml and examples/worker/tests/inventory.toml.

The examples' container definitions and policies depend on resources created in the same apply, so
their JSON is asserted on a root that calls the module with literal inputs (known at plan time).
"""

from __future__ import annotations

import json

import pytest

from tests.harness import inventory_path, module_workspace, shared_plan

pytestmark = pytest.mark.emulator
API = "modules/ecs-service/examples/api"
WORKER = "modules/ecs-service/examples/worker"

ACCOUNT = "123456789012"  # the emulator's account
SECRET = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:imgclass/api/db-AbCdEf"
PARAMETER = f"arn:aws:ssm:eu-west-1:{ACCOUNT}:parameter/imgclass/api/token"
SECRETS_KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/0a1b2c3d-1111-2222-3333-444455556666"
IMAGE = f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/imgclass/api:1.4.2"
LISTENER = (
    f"arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}:listener/app/imgclass-dev/50dc6c495c0c9188/f2f7dc8efc522ab2"
)


@pytest.fixture(scope="module")
def api_plan(emulator, tmp_path_factory):
    """The plan whose inventory tests/modules/test_inventories.py asserts (API's tests/inventory.toml)."""
    plan = shared_plan(inventory_path(API), emulator, tmp_path_factory)
    return plan.workspace(emulator), plan.name, plan.inventory


@pytest.fixture(scope="module")
def worker_plan(emulator, tmp_path_factory):
    """The plan whose inventory tests/modules/test_inventories.py asserts (WORKER's tests/inventory.toml)."""
    plan = shared_plan(inventory_path(WORKER), emulator, tmp_path_factory)
    return plan.workspace(emulator), plan.name, plan.inventory


@pytest.fixture(scope="module")
def literal_plan(emulator, tmp_path_factory):
    """The module alone with literal inputs: every JSON document is known at plan time."""
    inputs = {
        "name": "imgclass-api",
        # :latest is accepted only where the caller allows it (the root allows it outside prod).
        "allow_latest_image_tag": True,
        "image": IMAGE.replace(":1.4.2", ":latest"),
        "cluster_arn": f"arn:aws:ecs:eu-west-1:{ACCOUNT}:cluster/imgclass-dev",
        "vpc_id": "vpc-0a1b2c3d4e5f60718",
        "subnet_ids": ["subnet-0a1b2c3d4e5f60718", "subnet-1a1b2c3d4e5f60718"],
        "container_port": 8080,
        "db_pool_size": 5,
        "db_security_group_ids": ["sg-0a1b2c3d4e5f60718"],
        "max_capacity": 6,
        "environment_variables": {"LOG_LEVEL": "info", "DB_SECRET_ARN": SECRET},
        "secrets": {"DB_PASSWORD": f"{SECRET}:password::", "API_TOKEN": PARAMETER},
        "secrets_kms_key_arns": [SECRETS_KEY],
        "sidecars": [
            {"name": "otel", "image": "public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0", "memory": 128}
        ],
        "load_balancer": {"listener_arn": LISTENER, "security_group_id": "sg-1a1b2c3d4e5f60718"},
        "task_role_statements": [
            {"sid": "StartJobs", "actions": ["sqs:SendMessage"], "resources": [f"arn:aws:sqs:eu-west-1:{ACCOUNT}:jobs"]}
        ],
    }
    ws = module_workspace(
        "ecs-service",
        inputs,
        emulator,
        tmp_path_factory.mktemp("ecslitplan"),
        outputs=("max_db_connections", "peak_db_connections", "load_balancer_arn_suffix"),
    )
    return ws.plan()


def _walk(module):
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from _walk(child)


def _policy(inv, address):
    """A policy document data source: read during plan (prior_state) when its inputs are known."""
    for section in ("prior_state", "planned_values"):
        root = inv.raw.get(section, {}).get("values", inv.raw.get(section, {})).get("root_module", {})
        for res in _walk(root):
            if res["address"] == address and res.get("values", {}).get("json"):
                return json.loads(res["values"]["json"])
    raise AssertionError(f"{address} has no known policy JSON in the plan")


def _statements(policy):
    return {s["Sid"]: s for s in policy["Statement"]}


# --- validate and checkov ----------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["api_plan", "worker_plan"])
def test_examples_validate(request, fixture):
    ws, _, _ = request.getfixturevalue(fixture)
    result = ws.validate()
    assert result["valid"], result["diagnostics"]
    assert result["warning_count"] == 0, result["diagnostics"]


# --- the load-balanced API shape ------------------------------------------------------------


def test_api_scaling_policies(api_plan):
    _, name, inv = api_plan
    policies = {
        r.values["name"]: r.values["target_tracking_scaling_policy_configuration"][0]
        for r in inv.of_type("aws_appautoscaling_policy")
    }
    assert set(policies) == {f"{name}-api-cpu", f"{name}-api-memory", f"{name}-api-requests"}
    metric = {n: p["predefined_metric_specification"][0]["predefined_metric_type"] for n, p in policies.items()}
    assert metric == {
        f"{name}-api-cpu": "ECSServiceAverageCPUUtilization",
        f"{name}-api-memory": "ECSServiceAverageMemoryUtilization",
        f"{name}-api-requests": "ALBRequestCountPerTarget",
    }
    assert policies[f"{name}-api-requests"]["target_value"] == 500
    assert all(p["scale_in_cooldown"] == 300 and p["scale_out_cooldown"] == 60 for p in policies.values())


def test_api_only_the_load_balancer_is_open_to_the_internet(api_plan):
    _, _, inv = api_plan
    open_rules = [
        r.address
        for r in inv.of_type("aws_vpc_security_group_ingress_rule")
        if r.values.get("cidr_ipv4") == "0.0.0.0/0"
    ]
    assert sorted(open_rules) == [
        'module.alb.aws_vpc_security_group_ingress_rule.http["0.0.0.0/0"]',
        'module.alb.aws_vpc_security_group_ingress_rule.https["0.0.0.0/0"]',
    ]
    # The service admits only its load balancer: no CIDR source on its ingress.
    service_ingress = [
        r for r in inv.of_type("aws_vpc_security_group_ingress_rule") if r.address.startswith("module.api.")
    ]
    assert [r.values.get("cidr_ipv4") for r in service_ingress] == [None]


# --- the queue-driven worker shape ----------------------------------------------------------------


def test_worker_runs_mostly_on_spot(worker_plan):
    _, _, inv = worker_plan
    strategy = inv.find("module.worker.aws_ecs_service.this").values["capacity_provider_strategy"]
    assert sorted(strategy, key=lambda s: s["capacity_provider"]) == [  # a set: order is not meaningful
        {"capacity_provider": "FARGATE", "base": 1, "weight": 20},
        {"capacity_provider": "FARGATE_SPOT", "base": 0, "weight": 80},
    ]


def test_worker_scales_on_backlog_per_task(worker_plan):
    _, name, inv = worker_plan
    config = inv.find("module.worker.aws_appautoscaling_policy.queue_backlog[0]").values[
        "target_tracking_scaling_policy_configuration"
    ][0]
    assert config["target_value"] == 10
    metrics = {m["id"]: m for m in config["customized_metric_specification"][0]["metrics"]}
    assert metrics["backlog_per_task"]["expression"] == "visible / running"
    assert metrics["backlog_per_task"]["return_data"] is True
    visible = metrics["visible"]["metric_stat"][0]
    assert visible["metric"][0]["namespace"] == "AWS/SQS"
    assert visible["metric"][0]["metric_name"] == "ApproximateNumberOfMessagesVisible"
    assert visible["metric"][0]["dimensions"] == [{"name": "QueueName", "value": f"{name}-jobs"}]
    running = metrics["running"]["metric_stat"][0]
    assert running["metric"][0]["namespace"] == "ECS/ContainerInsights"
    assert running["metric"][0]["metric_name"] == "RunningTaskCount"
    assert {"name": "ServiceName", "value": f"{name}-worker"} in running["metric"][0]["dimensions"]
    assert metrics["visible"]["return_data"] is False and metrics["running"]["return_data"] is False


# --- the module's JSON documents, with literal inputs ------------------------------------------


def test_container_definition_is_hardened(literal_plan):
    containers = json.loads(literal_plan.one("aws_ecs_task_definition").values["container_definitions"])
    assert [c["name"] for c in containers] == ["app", "otel"]
    for c in containers:
        assert c["readonlyRootFilesystem"] is True, c["name"]
        assert c["privileged"] is False, c["name"]
        assert c["user"] == "1000:1000", c["name"]
        assert c["linuxParameters"]["initProcessEnabled"] is True, c["name"]
        assert c["linuxParameters"]["capabilities"]["drop"] == ["ALL"], c["name"]
        assert c["logConfiguration"]["logDriver"] == "awslogs", c["name"]
        assert c["logConfiguration"]["options"]["awslogs-group"] == "/ecs/imgclass-api"
        assert c["logConfiguration"]["options"]["mode"] == "non-blocking"
    app = containers[0]
    assert app["essential"] is True and containers[1]["essential"] is False
    assert app["image"].endswith("imgclass/api:latest")
    assert app["mountPoints"] == [{"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}]  # noqa: S108 - container path
    assert app["portMappings"] == [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]
    assert app["stopTimeout"] == 30
    env = {e["name"]: e["value"] for e in app["environment"]}
    assert env == {"DB_POOL_SIZE": "5", "DB_SECRET_ARN": SECRET, "LOG_LEVEL": "info"}
    assert app["secrets"] == [
        {"name": "API_TOKEN", "valueFrom": PARAMETER},
        {"name": "DB_PASSWORD", "valueFrom": f"{SECRET}:password::"},
    ]
    assert "healthCheck" not in app  # container health check is optional and off by default


def test_execution_role_reads_exactly_the_listed_secrets(literal_plan):
    statements = _statements(_policy(literal_plan, "module.under_test.data.aws_iam_policy_document.execution"))
    assert set(statements) == {
        "EcrLogin",
        "EcrPullServiceImages",
        "WriteServiceLogs",
        "ReadListedSecrets",
        "ReadListedParameters",
        "DecryptListedSecrets",
    }
    # The JSON-key suffix is stripped: IAM authorises the secret, not the key inside it.
    assert statements["ReadListedSecrets"]["Resource"] == SECRET
    assert statements["ReadListedSecrets"]["Action"] == "secretsmanager:GetSecretValue"
    assert statements["ReadListedParameters"]["Resource"] == PARAMETER
    assert statements["DecryptListedSecrets"]["Resource"] == SECRETS_KEY
    assert statements["DecryptListedSecrets"]["Condition"] == {
        "StringEquals": {"kms:ViaService": ["secretsmanager.eu-west-1.amazonaws.com", "ssm.eu-west-1.amazonaws.com"]}
    }
    # Only the ECR repository of the image (the sidecar comes from a public registry).
    assert statements["EcrPullServiceImages"]["Resource"] == f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/imgclass/api"
    assert statements["WriteServiceLogs"]["Resource"] == (
        f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/ecs/imgclass-api:log-stream:*"
    )


def test_trust_policy_prevents_confused_deputy(literal_plan):
    policy = _policy(literal_plan, "module.under_test.data.aws_iam_policy_document.assume")
    (statement,) = policy["Statement"]
    assert statement["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:eu-west-1:{ACCOUNT}:*"},
    }


def test_task_role_has_only_the_passed_statements(literal_plan):
    statements = _statements(_policy(literal_plan, "module.under_test.data.aws_iam_policy_document.task"))
    assert list(statements) == ["StartJobs"]  # ECS Exec is off, so no ssmmessages channel
    assert statements["StartJobs"]["Action"] == "sqs:SendMessage"


def test_log_key_admits_logs_for_this_log_group_only(literal_plan):
    key = literal_plan.find("module.under_test.module.kms_key[0].aws_kms_key.this")
    statements = _statements(json.loads(key.values["policy"]))
    logs = statements["CloudWatchLogs"]
    assert logs["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert logs["Condition"] == {
        "ArnLike": {
            "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/ecs/imgclass-api"
        }
    }
    assert literal_plan.one("aws_kms_key").values["enable_key_rotation"] is True


def test_connection_budget_outputs(literal_plan):
    # 6 tasks x 5 connections; during a deployment at 200 % up to 12 tasks overlap.
    assert literal_plan.outputs["max_db_connections"] == 30
    assert literal_plan.outputs["peak_db_connections"] == 60
    assert literal_plan.outputs["load_balancer_arn_suffix"] == "app/imgclass-dev/50dc6c495c0c9188"


def test_requests_policy_label_joins_load_balancer_and_target_group(literal_plan):
    policy = literal_plan.find('module.under_test.aws_appautoscaling_policy.target_tracking["requests"]')
    config = policy.values["target_tracking_scaling_policy_configuration"][0]
    assert config["predefined_metric_specification"][0]["predefined_metric_type"] == "ALBRequestCountPerTarget"
    assert config["target_value"] == 1000
    # resource_label = <alb arn suffix>/<target group arn suffix>; the latter is known after apply.
    assert policy.after_unknown["target_tracking_scaling_policy_configuration"][0]["predefined_metric_specification"][
        0
    ]["resource_label"]


def test_worker_deployment_alarm_exists_in_the_same_plan(worker_plan):
    """The name the service watches is an alarm this plan creates, not a typo ECS would never see fire."""
    _, _name, inv = worker_plan
    watched = inv.find("module.worker.aws_ecs_service.this").values["alarms"][0]["alarm_names"]
    created = {a.values["alarm_name"] for a in inv.of_type("aws_cloudwatch_metric_alarm")}
    assert watched and set(watched) <= created
    alarm = inv.find("aws_cloudwatch_metric_alarm.job_failure_rate").values
    assert alarm["treat_missing_data"] == "notBreaching"


def test_api_example_without_deployment_alarms_has_no_alarms_block(api_plan):
    _, _, inv = api_plan
    assert inv.find("module.api.aws_ecs_service.this").values["alarms"] == []
