"""The project's moto extensions behave like AWS for what the provider needs (data kept, not dropped)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from scripts.emulator import Emulator


@pytest.fixture(scope="module")
def emu():
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def scalable_target(emu):
    ecs = emu.client("ecs")
    cluster = ecs.create_cluster(clusterName="ext-cluster")["cluster"]["clusterName"]
    ecs.register_task_definition(
        family="ext", containerDefinitions=[{"name": "app", "image": "nginx:1.27", "memory": 512}]
    )
    ecs.create_service(cluster=cluster, serviceName="ext-svc", taskDefinition="ext", desiredCount=1)
    aas = emu.client("application-autoscaling")
    arn = aas.register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId="service/ext-cluster/ext-svc",
        ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=1,
        MaxCapacity=4,
        Tags={"Service": "imgclass"},
    )["ScalableTargetARN"]
    yield aas, arn
    aas.deregister_scalable_target(
        ServiceNamespace="ecs",
        ResourceId="service/ext-cluster/ext-svc",
        ScalableDimension="ecs:service:DesiredCount",
    )


def test_autoscaling_tags_round_trip(scalable_target):
    aas, arn = scalable_target
    assert aas.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"Service": "imgclass"}
    aas.tag_resource(ResourceARN=arn, Tags={"Environment": "dev"})
    assert aas.list_tags_for_resource(ResourceARN=arn)["Tags"] == {
        "Service": "imgclass",
        "Environment": "dev",
    }
    aas.untag_resource(ResourceARN=arn, TagKeys=["Service"])
    assert aas.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"Environment": "dev"}


def test_autoscaling_tags_of_unknown_target_are_an_error(emu):
    aas = emu.client("application-autoscaling")
    with pytest.raises(ClientError):
        aas.list_tags_for_resource(
            ResourceARN="arn:aws:application-autoscaling:eu-west-1:123456789012:scalable-target/nope"
        )


def test_composite_alarm_is_stored_described_and_deleted(emu):
    cw = emu.client("cloudwatch")
    cw.put_metric_alarm(
        AlarmName="db-connections-high",
        MetricName="DatabaseConnections",
        Namespace="AWS/RDS",
        Statistic="Maximum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=80,
        ComparisonOperator="GreaterThanThreshold",
    )
    cw.put_composite_alarm(
        AlarmName="service-degraded",
        AlarmRule='ALARM("db-connections-high")',
        AlarmDescription="pages once instead of five times",
        AlarmActions=["arn:aws:sns:eu-west-1:123456789012:alarms"],
        OKActions=["arn:aws:sns:eu-west-1:123456789012:alarms"],
        Tags=[{"Key": "Service", "Value": "imgclass"}],
    )
    found = cw.describe_alarms(AlarmNames=["service-degraded"], AlarmTypes=["CompositeAlarm"])["CompositeAlarms"]
    assert len(found) == 1
    alarm = found[0]
    assert alarm["AlarmRule"] == 'ALARM("db-connections-high")'
    assert alarm["AlarmDescription"] == "pages once instead of five times"
    assert alarm["AlarmActions"] == ["arn:aws:sns:eu-west-1:123456789012:alarms"]
    assert alarm["OKActions"] == ["arn:aws:sns:eu-west-1:123456789012:alarms"]
    tags = cw.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"]
    assert {"Key": "Service", "Value": "imgclass"} in tags
    cw.delete_alarms(AlarmNames=["service-degraded"])
    assert cw.describe_alarms(AlarmNames=["service-degraded"], AlarmTypes=["CompositeAlarm"])["CompositeAlarms"] == []


def test_composite_alarm_without_a_rule_is_rejected_by_the_server(emu):
    import urllib.parse
    import urllib.request

    body = urllib.parse.urlencode({"Action": "PutCompositeAlarm", "Version": "2010-08-01", "AlarmName": "x"}).encode()
    req = urllib.request.Request(  # noqa: S310 - loopback emulator URL
        emu.endpoint_url,
        data=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/eu-west-1/monitoring/aws4_request, "
            "SignedHeaders=host, Signature=x",
        },
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)  # noqa: S310
    assert err.value.code == 400
    assert b"AlarmRule is required" in err.value.read()


def test_registering_a_higher_minimum_starts_a_parked_service():
    """RegisterScalableTarget brings the ECS service's desired count into the new range, as
    Application Auto Scaling does; a service created at 0 starts when the minimum becomes 1."""
    with Emulator() as emulator:
        ecs, scaling = emulator.client("ecs"), emulator.client("application-autoscaling")
        ecs.create_cluster(clusterName="parked")
        ecs.register_task_definition(family="parked", containerDefinitions=[{"name": "a", "image": "x", "memory": 512}])
        ecs.create_service(cluster="parked", serviceName="svc", taskDefinition="parked", desiredCount=0)

        def register(low, high):
            scaling.register_scalable_target(
                ServiceNamespace="ecs",
                ResourceId="service/parked/svc",
                ScalableDimension="ecs:service:DesiredCount",
                MinCapacity=low,
                MaxCapacity=high,
            )
            return ecs.describe_services(cluster="parked", services=["svc"])["services"][0]["desiredCount"]

        assert register(0, 0) == 0
        assert register(1, 2) == 1
        assert register(0, 0) == 0
