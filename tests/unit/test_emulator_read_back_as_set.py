"""The emulator reads back what a deploy set, as AWS does, so an unchanged resource is not updated again.

Each case made every deploy of the platform update a resource nobody changed, and wait the provider's
fixed wait for it (docs/emulator-waits.md): Performance Insights on a DB instance (ModifyDBInstance,
then 80 s for ``available``; scripts/emulator/ext_rds.py) and the spacing of a queue's RedrivePolicy
(SetQueueAttributes, then 25 s; scripts/emulator/ext_sqs.py).
"""

from __future__ import annotations

import json

import pytest

from scripts.emulator import Emulator

KEY = "arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-0000-4000-8000-000000000001"


@pytest.fixture(scope="module")
def emulator():
    with Emulator() as running:
        yield running


def _instance(rds, name: str, **settings) -> dict:
    return rds.create_db_instance(
        DBInstanceIdentifier=name,
        DBInstanceClass="db.t4g.micro",
        Engine="postgres",
        MasterUsername="dbadmin",
        MasterUserPassword="not-a-secret-1",  # the emulator's throwaway instance
        AllocatedStorage=20,
        **settings,
    )["DBInstance"]


def _insights(instance: dict) -> dict:
    return {k: v for k, v in instance.items() if k.startswith("PerformanceInsights")}


def test_performance_insights_are_reported_as_created_and_modified(emulator):
    rds = emulator.client("rds")
    created = _instance(rds, "ext-pi-on", EnablePerformanceInsights=True, PerformanceInsightsKMSKeyId=KEY)
    try:
        # Retention left out: AWS's default of 7 days.
        expected = {
            "PerformanceInsightsEnabled": True,
            "PerformanceInsightsKMSKeyId": KEY,
            "PerformanceInsightsRetentionPeriod": 7,
        }
        assert _insights(created) == expected
        described = rds.describe_db_instances(DBInstanceIdentifier="ext-pi-on")["DBInstances"][0]
        assert _insights(described) == expected
        rds.modify_db_instance(
            DBInstanceIdentifier="ext-pi-on", PerformanceInsightsRetentionPeriod=31, ApplyImmediately=True
        )
        described = rds.describe_db_instances(DBInstanceIdentifier="ext-pi-on")["DBInstances"][0]
        assert _insights(described) == {**expected, "PerformanceInsightsRetentionPeriod": 31}
        rds.modify_db_instance(DBInstanceIdentifier="ext-pi-on", EnablePerformanceInsights=False, ApplyImmediately=True)
        described = rds.describe_db_instances(DBInstanceIdentifier="ext-pi-on")["DBInstances"][0]
        assert described["PerformanceInsightsEnabled"] is False
    finally:
        # moto's backends are per process: leave nothing behind for an emulator started later in it.
        rds.delete_db_instance(DBInstanceIdentifier="ext-pi-on", SkipFinalSnapshot=True)


def test_an_instance_without_performance_insights_says_so(emulator):
    rds = emulator.client("rds")
    created = _instance(rds, "ext-pi-off")
    try:
        assert _insights(created) == {"PerformanceInsightsEnabled": False}
    finally:
        rds.delete_db_instance(DBInstanceIdentifier="ext-pi-off", SkipFinalSnapshot=True)


def test_redrive_policy_is_returned_compact_as_aws_returns_it(emulator):
    sqs = emulator.client("sqs")
    dlq = sqs.create_queue(QueueName="ext-compact-dlq")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    # What the provider sends for jsonencode({deadLetterTargetArn = ..., maxReceiveCount = 3}).
    sent = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 3}, separators=(",", ":"))
    url = sqs.create_queue(QueueName="ext-compact-jobs", Attributes={"RedrivePolicy": sent})["QueueUrl"]
    try:
        for names in (["All"], ["RedrivePolicy"]):
            got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]["RedrivePolicy"]
            assert got == sent, names
        # maxReceiveCount given as a string comes back as a number, as in AWS (the provider's docs say so).
        sqs.set_queue_attributes(
            QueueUrl=url, Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": "5"})}
        )
        got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]["RedrivePolicy"]
        assert got == json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 5}, separators=(",", ":"))
    finally:
        sqs.delete_queue(QueueUrl=url)
        sqs.delete_queue(QueueUrl=dlq)


def test_a_bucket_sending_events_to_eventbridge_says_so(emulator):
    s3 = emulator.client("s3")
    s3.create_bucket(Bucket="ext-eventbridge", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    try:
        assert "EventBridgeConfiguration" not in s3.get_bucket_notification_configuration(Bucket="ext-eventbridge")
        s3.put_bucket_notification_configuration(
            Bucket="ext-eventbridge", NotificationConfiguration={"EventBridgeConfiguration": {}}
        )
        got = s3.get_bucket_notification_configuration(Bucket="ext-eventbridge")
        assert got["EventBridgeConfiguration"] == {}
        s3.put_bucket_notification_configuration(Bucket="ext-eventbridge", NotificationConfiguration={})
        assert "EventBridgeConfiguration" not in s3.get_bucket_notification_configuration(Bucket="ext-eventbridge")
    finally:
        s3.delete_bucket(Bucket="ext-eventbridge")
