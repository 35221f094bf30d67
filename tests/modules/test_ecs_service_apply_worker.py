"""modules/ecs-service (worker shape): apply the worker example to the emulator, read it back with
boto3, re-plan, destroy."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from scripts.terraform.tf import unique_name
from tests.harness import applied, assert_idempotent, example_workspace

pytestmark = [pytest.mark.emulator, pytest.mark.slow]
EXAMPLE = "modules/ecs-service/examples/worker"


@pytest.fixture(scope="module")
def stack(emulator, tmp_path_factory):
    ws = example_workspace(EXAMPLE, emulator, tmp_path_factory.mktemp("ecswrk"))
    with applied(ws, {"name": unique_name("ewrk", 20)}) as outputs:
        yield ws, outputs


@pytest.fixture(scope="module")
def service(stack, aws):
    _, out = stack
    return aws("ecs").describe_services(cluster=out["cluster_name"], services=[out["service_name"]])["services"][0]


def test_worker_container(stack, aws):
    _, out = stack
    td = aws("ecs").describe_task_definition(taskDefinition=out["task_definition_arn"])["taskDefinition"]
    assert td["runtimePlatform"]["cpuArchitecture"] == "ARM64"
    (worker,) = td["containerDefinitions"]
    assert worker["readonlyRootFilesystem"] is True
    assert worker["user"] == "1000:1000"
    assert worker["linuxParameters"]["initProcessEnabled"] is True
    assert worker["command"] == ["python", "-m", "worker"]
    assert worker["stopTimeout"] == 120
    assert worker.get("portMappings", []) == []
    assert worker["logConfiguration"]["options"]["awslogs-group"] == out["log_group_name"]
    env = {e["name"]: e["value"] for e in worker["environment"]}
    assert env["DB_POOL_SIZE"] == "2"
    assert env["JOB_QUEUE_URL"].endswith(f"/{out['queue_name']}")


def test_worker_runs_mostly_on_spot_without_public_ip(service):
    strategy = sorted(service["capacityProviderStrategy"], key=lambda s: s["capacityProvider"])
    assert strategy == [
        {"capacityProvider": "FARGATE", "weight": 20, "base": 1},
        {"capacityProvider": "FARGATE_SPOT", "weight": 80, "base": 0},
    ]
    assert service["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "DISABLED"
    assert service["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert service["loadBalancers"] == []
    assert "healthCheckGracePeriodSeconds" not in service


def test_a_failing_release_rolls_back_on_the_job_failure_alarm(stack, service, aws):
    """The emulator stores deploymentConfiguration as CreateService received it (scripts/emulator/ext_ecs.py),
    so this reads back what the provider sent ECS; the alarm itself is read from CloudWatch."""
    _, out = stack
    alarm_name = f"{out['cluster_name']}-job-failure-rate"
    assert out["deployment_alarm_names"] == [alarm_name]
    assert service["deploymentConfiguration"]["alarms"] == {
        "alarmNames": [alarm_name],
        "enable": True,
        "rollback": True,
    }
    (alarm,) = aws("cloudwatch").describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"]
    assert alarm["TreatMissingData"] == "notBreaching"


def test_container_insights_log_group_has_retention_and_the_cluster_key(stack, aws):
    _, out = stack
    name = out["container_insights_log_group_name"]
    assert name == f"/aws/ecs/containerinsights/{out['cluster_name']}/performance"
    (group,) = aws("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    assert group["retentionInDays"] == 30
    assert group["kmsKeyId"] == out["cluster_kms_key_arn"]


def test_worker_accepts_no_inbound_traffic(stack, aws):
    _, out = stack
    rules = aws("ec2").describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [out["security_group_id"]]}]
    )["SecurityGroupRules"]
    assert [r for r in rules if not r["IsEgress"]] == []
    assert [(r["FromPort"], r.get("CidrIpv4")) for r in rules if r["IsEgress"]] == [(443, "0.0.0.0/0")]


def test_backlog_per_task_policy_and_schedules(stack, aws):
    _, out = stack
    aas = aws("application-autoscaling")
    resource = out["autoscaling_resource_id"]
    (target,) = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[resource])["ScalableTargets"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 6)
    policies = {
        p["PolicyName"]: p["TargetTrackingScalingPolicyConfiguration"]
        for p in aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=resource)["ScalingPolicies"]
    }
    assert set(policies) == {f"{out['service_name']}-cpu", f"{out['service_name']}-queue-backlog"}
    backlog = policies[f"{out['service_name']}-queue-backlog"]
    assert backlog["TargetValue"] == 10
    metrics = {m["Id"]: m for m in backlog["CustomizedMetricSpecification"]["Metrics"]}
    assert metrics["backlog_per_task"]["Expression"] == "visible / running"
    visible = metrics["visible"]["MetricStat"]["Metric"]
    assert visible["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert visible["Dimensions"] == [{"Name": "QueueName", "Value": out["queue_name"]}]
    running = metrics["running"]["MetricStat"]["Metric"]
    assert (running["Namespace"], running["MetricName"]) == ("ECS/ContainerInsights", "RunningTaskCount")
    assert {"Name": "ClusterName", "Value": out["cluster_name"]} in running["Dimensions"]
    scheduled = {
        a["ScheduledActionName"].rsplit("-", 1)[-1]: a
        for a in aas.describe_scheduled_actions(ServiceNamespace="ecs", ResourceId=resource)["ScheduledActions"]
    }
    assert scheduled["night"]["ScalableTargetAction"] == {"MinCapacity": 1, "MaxCapacity": 2}
    assert scheduled["night"]["Timezone"] == "Europe/Dublin"
    assert scheduled["day"]["Schedule"] == "cron(0 7 ? * MON-FRI *)"


def test_task_role_consumes_the_queue_only(stack, aws):
    _, out = stack
    doc = aws("iam").get_role_policy(RoleName=out["task_role_arn"].split("/")[-1], PolicyName="application")[
        "PolicyDocument"
    ]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    statements = {s["Sid"]: s for s in doc["Statement"]}
    assert set(statements) == {"ConsumeJobs", "ReadPrompts"}
    assert statements["ConsumeJobs"]["Resource"].endswith(f":{out['queue_name']}")
    assert "sqs:SendMessage" not in statements["ConsumeJobs"]["Action"]


def test_connection_budget_outputs(stack):
    _, out = stack
    assert out["max_db_connections"] == 12  # 6 tasks x 2 connections
    assert out["peak_db_connections"] == 24  # 12 tasks while a deployment at 200 % overlaps


def test_replan_is_clean(stack):
    ws, _ = stack
    assert_idempotent(ws)


def test_destroy_leaves_nothing(stack, aws):
    ws, out = stack
    ws.destroy()
    assert ws.state_resources() == []
    assert (
        aws("application-autoscaling").describe_scalable_targets(
            ServiceNamespace="ecs", ResourceIds=[out["autoscaling_resource_id"]]
        )["ScalableTargets"]
        == []
    )
    with pytest.raises(ClientError):
        aws("iam").get_role(RoleName=out["execution_role_arn"].split("/")[-1])
