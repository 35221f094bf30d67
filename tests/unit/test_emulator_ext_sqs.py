"""scripts/emulator/ext_sqs.py: a dead-letter queue's RedriveAllowPolicy is kept and returned."""

from __future__ import annotations

import json

import pytest

from scripts.emulator import Emulator


@pytest.fixture(scope="module")
def sqs():
    with Emulator() as emulator:
        yield emulator.client("sqs")


def test_redrive_allow_policy_is_returned(sqs):
    allow = json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": ["arn:aws:sqs:eu-west-1:123456789012:jobs"]})
    url = sqs.create_queue(QueueName="ext-dlq", Attributes={"RedriveAllowPolicy": allow})["QueueUrl"]
    everything = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert json.loads(everything["RedriveAllowPolicy"]) == json.loads(allow)
    named = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedriveAllowPolicy"])["Attributes"]
    assert json.loads(named["RedriveAllowPolicy"])["redrivePermission"] == "byQueue"


def test_updated_with_set_queue_attributes(sqs):
    url = sqs.create_queue(QueueName="ext-dlq-2")["QueueUrl"]
    assert "RedriveAllowPolicy" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedriveAllowPolicy": '{"redrivePermission":"denyAll"}'})
    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert json.loads(got["RedriveAllowPolicy"]) == {"redrivePermission": "denyAll"}


def test_setting_another_attribute_keeps_the_queue_policy():
    """AWS changes only the attributes a SetQueueAttributes names; moto used to drop the policy."""
    with Emulator() as emulator:
        sqs = emulator.client("sqs")
        url = sqs.create_queue(QueueName="keeps-policy")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        policy = json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Sid": "X", "Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": arn}],
            }
        )
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "45"})
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert json.loads(attributes["Policy"]) == json.loads(policy)
        assert attributes["VisibilityTimeout"] == "45"
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
        assert "Policy" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
