"""modules/cloudwatch-alarms: apply the complete example to the emulator, read it back, re-plan, destroy.

The example creates no queues (each costs 25 s of provider waits); the alarms only name them.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from scripts.terraform.tf import unique_name
from tests.harness import applied, assert_idempotent, example_workspace
from tests.modules.test_cloudwatch_alarms_plan import CRITICAL, dashboard_problems

pytestmark = [pytest.mark.emulator, pytest.mark.slow]
EXAMPLE = "modules/cloudwatch-alarms/examples/complete"


@pytest.fixture(scope="module")
def stack(emulator, tmp_path_factory):
    ws = example_workspace(EXAMPLE, emulator, tmp_path_factory.mktemp("cwapply"))
    name = unique_name("cwapp")
    with applied(ws, {"name": name}) as outputs:
        yield ws, name, outputs


@pytest.fixture(scope="module")
def cloudwatch(aws):
    return aws("cloudwatch")


@pytest.fixture(scope="module")
def described(stack, cloudwatch):
    _, name, _ = stack
    pages = cloudwatch.get_paginator("describe_alarms").paginate(
        AlarmNamePrefix=f"{name}-", AlarmTypes=["MetricAlarm", "CompositeAlarm"]
    )
    metric, composite = {}, {}
    for page in pages:
        metric |= {a["AlarmName"]: a for a in page["MetricAlarms"]}
        composite |= {a["AlarmName"]: a for a in page["CompositeAlarms"]}
    return metric, composite


def test_topic_is_encrypted_and_lets_cloudwatch_publish(stack, aws):
    _, name, out = stack
    attrs = aws("sns").get_topic_attributes(TopicArn=out["topic_arn"])["Attributes"]
    assert attrs["KmsMasterKeyId"] == out["kms_key_arn"]
    policy = json.loads(attrs["Policy"])
    publish = {s["Sid"]: s for s in policy["Statement"]}["CloudWatchAlarmsPublish"]
    assert publish["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert publish["Condition"]["ArnLike"]["aws:SourceArn"].endswith(f":alarm:{name}-*")
    subs = aws("sns").list_subscriptions_by_topic(TopicArn=out["topic_arn"])["Subscriptions"]
    assert sorted((s["Protocol"], s["Endpoint"]) for s in subs) == [
        ("email", "oncall@example.com"),
        ("https", "https://hooks.example.com/imgclass/alarms"),
    ]


def test_key_rotates_and_lets_cloudwatch_use_it(stack, aws):
    _, _, out = stack
    kms = aws("kms")
    assert kms.get_key_rotation_status(KeyId=out["kms_key_arn"])["KeyRotationEnabled"] is True
    policy = json.loads(kms.get_key_policy(KeyId=out["kms_key_arn"], PolicyName="default")["Policy"])
    use = {s["Sid"]: s for s in policy["Statement"]}["CloudWatchAlarmsUseKey"]
    assert use["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert sorted(use["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]


def test_every_alarm_exists_with_its_output_arn(stack, described):
    _, _, out = stack
    metric, composite = described
    assert len(metric) == 38  # with jobs-failure-rate
    assert len(composite) == 7
    existing = {a["AlarmName"]: a["AlarmArn"] for a in (*metric.values(), *composite.values())}
    assert existing == out["alarm_arns"]


def test_database_connection_alarm_read_back(stack, described):
    _, name, _ = stack
    metric, _ = described
    alarm = metric[f"{name}-db-connections"]
    assert alarm["Namespace"] == "AWS/RDS"
    assert alarm["MetricName"] == "DatabaseConnections"
    assert alarm["Dimensions"] == [{"Name": "DBInstanceIdentifier", "Value": f"{name}-db"}]
    assert alarm["Statistic"] == "Maximum"
    assert alarm["Threshold"] == 720.0  # floor(901 * 80 / 100)
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"], alarm["Period"]) == (5, 3, 60)
    assert alarm["TreatMissingData"] == "breaching"
    assert alarm["AlarmActions"] == []  # pages through the composite
    assert "docs/runbooks/database-connection-exhaustion.md" in alarm["AlarmDescription"]


def test_warning_alarms_notify_on_alarm_and_ok(stack, described):
    _, name, out = stack
    metric, _ = described
    for key in ("db-cpu", "proxy-borrow-latency", "worker-queue-age", "worker-dlq", "lb-p99-latency"):
        alarm = metric[f"{name}-{key}"]
        assert alarm["AlarmActions"] == [out["topic_arn"]], key
        assert alarm["OKActions"] == [out["topic_arn"]], key
        assert alarm["ActionsEnabled"] is True


def test_metric_math_alarms_read_back(stack, described):
    _, name, _ = stack
    metric, _ = described
    proxy = {m["Id"]: m for m in metric[f"{name}-proxy-database-connections"]["Metrics"]}
    assert proxy["used_pct"]["Expression"] == "100 * FILL(used, 0) / allowed"
    assert proxy["used_pct"]["ReturnData"] is True
    assert proxy["allowed"]["MetricStat"]["Metric"]["MetricName"] == "MaxDatabaseConnectionsAllowed"
    rate = {m["Id"]: m for m in metric[f"{name}-lb-5xx-rate"]["Metrics"]}
    assert rate["error_rate"]["Expression"] == "IF(total >= 20, 100 * errors / total, 0)"
    assert rate["target5xx"]["MetricStat"]["Metric"]["MetricName"] == "HTTPCode_Target_5XX_Count"
    latency = {m["Id"]: m for m in metric[f"{name}-slo-latency-6h"]["Metrics"]}
    assert latency["fast_pct"]["MetricStat"]["Stat"] == "PR(:0.5)"
    assert latency["fast_pct"]["MetricStat"]["Period"] == 21600
    assert metric[f"{name}-slo-availability-1h"]["Threshold"] == pytest.approx(1.44)


def test_composite_alarms_read_back(stack, described):
    _, name, out = stack
    _, composite = described
    degraded = composite[f"{name}-service-degraded"]
    assert degraded["AlarmRule"] == " OR ".join(f'ALARM("{name}-{k}")' for k in CRITICAL)
    assert degraded["AlarmActions"] == [out["topic_arn"]]
    assert degraded["OKActions"] == [out["topic_arn"]]
    assert degraded["AlarmArn"] == out["composite_alarm_arn"]
    fast = composite[f"{name}-slo-availability-fast-burn"]
    assert fast["AlarmRule"] == f'ALARM("{name}-slo-availability-1h") AND ALARM("{name}-slo-availability-5m")'
    assert fast["AlarmActions"] == []
    assert composite[f"{name}-slo-availability-slow-burn"]["AlarmActions"] == [out["topic_arn"]]


def test_alarm_tags(stack, cloudwatch):
    _, _, out = stack
    arns = out["alarm_arns"]
    for alarm_name, severity in (("db-connections", "critical"), ("db-cpu", "warning")):
        arn = next(a for n, a in arns.items() if n.endswith(f"-{alarm_name}"))
        tags = {t["Key"]: t["Value"] for t in cloudwatch.list_tags_for_resource(ResourceARN=arn)["Tags"]}
        assert tags["Severity"] == severity
        assert tags["Environment"] == "prod"
        assert tags["ManagedBy"] == "terraform"  # provider default_tags


def test_dashboard_read_back_shows_every_critical_alarm(stack, cloudwatch):
    _, _, out = stack
    dashboard = cloudwatch.get_dashboard(DashboardName=out["dashboard_name"])
    body = json.loads(dashboard["DashboardBody"])
    assert dashboard_problems(body) == []
    on_dashboard = {a for w in body["widgets"] if w["type"] == "alarm" for a in w["properties"]["alarms"]}
    critical_arns = {out["alarm_arns"][n] for n in out["critical_alarm_names"]}
    assert critical_arns == on_dashboard


def test_replan_is_clean(stack):
    ws, _, _ = stack
    assert_idempotent(ws)


def test_destroy_leaves_nothing(stack, cloudwatch, aws):
    ws, name, out = stack
    ws.destroy()
    left = cloudwatch.describe_alarms(AlarmNamePrefix=f"{name}-")
    assert left["MetricAlarms"] == [] and left["CompositeAlarms"] == []
    with pytest.raises(ClientError) as err:
        cloudwatch.get_dashboard(DashboardName=out["dashboard_name"])
    assert err.value.response["Error"]["Code"] in {"ResourceNotFound", "ResourceNotFoundException"}
    topics = [t["TopicArn"] for t in aws("sns").list_topics()["Topics"]]
    assert out["topic_arn"] not in topics
    key = aws("kms").describe_key(KeyId=out["kms_key_arn"])["KeyMetadata"]
    assert key["KeyState"] == "PendingDeletion"
    assert ws.state_resources() == []
