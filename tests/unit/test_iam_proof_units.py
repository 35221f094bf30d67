"""The IAM proof's parts on a live emulator without Terraform: what the recorder makes of real SDK
calls, the actions AWS authorizes implicitly, the trust-policy check of AssumeRoleWithWebIdentity,
and the verdict of the real evaluator (allowed, missing statement, explicit deny, unresolved)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from scripts.emulator import Emulator
from scripts.emulator.recorder import CallBus
from scripts.iam.pipeline import assume
from scripts.iam.proof import CallLog, judge

pytestmark = pytest.mark.emulator

ACCOUNT = "123456789012"
REGION = "eu-west-1"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
SUB = "repo:example-org/imgclass-platform:environment:dev"


@pytest.fixture(scope="module")
def world():
    bus = CallBus()
    with Emulator(on_call=bus) as emu:
        iam = emu.client("iam")
        iam.create_open_id_connect_provider(
            Url="https://token.actions.githubusercontent.com", ClientIDList=["sts.amazonaws.com"], ThumbprintList=[]
        )
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": PROVIDER},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {
                            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                            "token.actions.githubusercontent.com:sub": SUB,
                        }
                    },
                }
            ],
        }
        role = iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
        yield emu, bus, role["Arn"]


def session_clients(emu, session):
    import boto3

    return lambda service: boto3.client(
        service,
        endpoint_url=emu.endpoint_url,
        region_name=REGION,
        aws_access_key_id=session.access_key,
        aws_secret_access_key=session.secret_key,
        aws_session_token=session.token,
    )


@pytest.fixture(scope="module")
def recorded(world):
    """A handful of calls made as the assumed role, recorded as the proof records them."""
    emu, bus, role_arn = world
    session = assume(emu, role_arn, SUB)
    client = session_clients(emu, session)
    log = CallLog()
    bus.subscribe(log)
    try:
        s3 = client("s3")
        s3.create_bucket(Bucket="imgclass-dev-x", CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_lifecycle_configuration(
            Bucket="imgclass-dev-x",
            LifecycleConfiguration={
                "Rules": [{"ID": "a", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 3}}]
            },
        )
        s3.get_bucket_lifecycle_configuration(Bucket="imgclass-dev-x")
        client("sqs").create_queue(QueueName="imgclass-dev-jobs", tags={"Service": "imgclass"})
        client("ecs").register_task_definition(
            family="imgclass-dev-api",
            taskRoleArn=f"arn:aws:iam::{ACCOUNT}:role/imgclass-dev-api-task",
            executionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/imgclass-dev-api-execution",
            containerDefinitions=[{"name": "api", "image": "x", "memory": 512}],
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="512",
        )
        client("rds").describe_db_instances()
    finally:
        bus.unsubscribe(log)
    return log, role_arn


def intents(log, operation):
    return [i for r in log.records if r.call.operation == operation for i in r.intents]


def test_rest_operations_map_to_the_iam_action_not_the_api_name(recorded):
    log, _ = recorded
    [get] = intents(log, "GetBucketLifecycleConfiguration")
    assert get.action == "s3:GetLifecycleConfiguration"
    assert get.arns == ["arn:aws:s3:::imgclass-dev-x"]
    [put] = intents(log, "PutBucketLifecycleConfiguration")
    assert put.action == "s3:PutLifecycleConfiguration"


def test_rds_calls_are_rds_not_documentdb(recorded):
    log, _ = recorded
    [describe] = intents(log, "DescribeDBInstances")
    assert describe.action == "rds:DescribeDBInstances"


def test_tags_on_create_need_the_tagging_action_with_the_request_tags(recorded):
    log, _ = recorded
    create, tag = intents(log, "CreateQueue")
    assert create.action == "sqs:CreateQueue"
    assert create.arns == [f"arn:aws:sqs:{REGION}:{ACCOUNT}:imgclass-dev-jobs"]
    assert tag.action == "sqs:TagQueue" and tag.why == "tag on create"
    assert tag.context["aws:RequestTag/Service"] == "imgclass"
    assert tag.context["aws:TagKeys"] == ["Service"]


def test_a_task_definition_passes_both_roles_to_ecs_tasks(recorded):
    log, _ = recorded
    passed = [i for i in intents(log, "RegisterTaskDefinition") if i.action == "iam:PassRole"]
    assert sorted(a for i in passed for a in i.arns) == [
        f"arn:aws:iam::{ACCOUNT}:role/imgclass-dev-api-execution",
        f"arn:aws:iam::{ACCOUNT}:role/imgclass-dev-api-task",
    ]
    assert {i.context["iam:PassedToService"] for i in passed} == {"ecs-tasks.amazonaws.com"}


def allow(*statements):
    return [{"name": "test", "policy": {"Version": "2012-10-17", "Statement": list(statements)}}]


EVERYTHING_BUT_TASKS = {
    "Sid": "Most",
    "Effect": "Allow",
    "Action": ["s3:*", "sqs:*", "rds:Describe*", "ecs:RegisterTaskDefinition", "iam:PassRole", "sts:*"],
    "Resource": "*",
}


def test_the_evaluator_names_the_action_and_arn_no_statement_allows(recorded):
    log, role = recorded
    verdict = judge(log.of_role(role), allow({**EVERYTHING_BUT_TASKS, "Action": ["s3:*", "rds:Describe*"]}))
    denied = {(d.action, d.resource) for d in verdict.denials}
    assert ("sqs:CreateQueue", f"arn:aws:sqs:{REGION}:{ACCOUNT}:imgclass-dev-jobs") in denied
    assert ("sqs:TagQueue", f"arn:aws:sqs:{REGION}:{ACCOUNT}:imgclass-dev-jobs") in denied
    assert all(d.reason == "no statement allows it" for d in verdict.denials)
    assert not verdict.ok


def test_an_explicit_deny_is_named(recorded):
    log, role = recorded
    deny = {"Sid": "NoQueues", "Effect": "Deny", "Action": "sqs:*", "Resource": "*"}
    verdict = judge(log.of_role(role), allow(EVERYTHING_BUT_TASKS, deny))
    reasons = {d.reason for d in verdict.denials if d.action == "sqs:CreateQueue"}
    assert reasons == {"explicitly denied by identity statement NoQueues"}


def test_everything_allowed_is_a_clean_verdict(recorded):
    log, role = recorded
    verdict = judge(log.of_role(role), allow(EVERYTHING_BUT_TASKS))
    assert verdict.ok, verdict.denials or verdict.unresolved
    assert verdict.calls == len(log.of_role(role)) and verdict.allowed == verdict.evaluations > 0


def test_a_permissions_boundary_limits_what_the_role_allows(recorded):
    log, role = recorded
    boundary = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "sqs:*", "Resource": "*"}]}
    verdict = judge(log.of_role(role), allow(EVERYTHING_BUT_TASKS), boundary)
    assert {d.action for d in verdict.denials} == {"sqs:CreateQueue", "sqs:TagQueue"}


def test_the_trust_policy_refuses_another_subject(world):
    emu, _, role_arn = world
    with pytest.raises(ClientError) as err:
        assume(emu, role_arn, "repo:example-org/imgclass-platform:pull_request")
    assert err.value.response["Error"]["Code"] == "AccessDenied"
    assert "sts:AssumeRoleWithWebIdentity" in err.value.response["Error"]["Message"]


def test_a_session_longer_than_the_role_allows_is_refused(world):
    emu, _, role_arn = world
    with pytest.raises(ClientError) as err:
        assume(emu, role_arn, SUB, duration=5400)
    assert "MaxSessionDuration" in err.value.response["Error"]["Message"]


def test_one_of_the_alternative_required_types_is_enough():
    from scripts.iam.proof import targets

    meta = {
        "resourceTypes": [
            {
                "name": "listener/app",
                "required": True,
                "arn": "arn:${Partition}:x:${Region}:${Account}:listener/app/${Id}",
            },
            {
                "name": "listener/net",
                "required": True,
                "arn": "arn:${Partition}:x:${Region}:${Account}:listener/net/${Id}",
            },
        ]
    }
    assert targets("x:Do", meta, [f"arn:aws:x:{REGION}:{ACCOUNT}:listener/app/1"]) == (
        [f"arn:aws:x:{REGION}:{ACCOUNT}:listener/app/1"],
        "",
    )
    arns, missing = targets("x:Do", meta, [f"arn:aws:x:{REGION}:{ACCOUNT}:other/1"])
    assert arns == [] and missing.startswith("no listener/app resource resolved from the request")


def test_load_balancer_v2_actions_are_judged_on_their_v2_resources():
    """iam-data carries the classic ELB entry for the shared prefix (AddTags requires `loadbalancer`)."""
    from scripts.iam.proof import targets

    classic = {
        "resourceTypes": [
            {
                "name": "loadbalancer",
                "required": True,
                "arn": "arn:${Partition}:elasticloadbalancing:${Region}:${Account}:loadbalancer/${LoadBalancerName}",
            }
        ]
    }
    group = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/imgclass-dev-api/*"
    assert targets("elasticloadbalancing:AddTags", classic, [group]) == ([group], "")


def test_a_created_resource_is_judged_with_a_new_id_not_a_wildcard():
    from scripts.iam.proof import concrete

    assert (
        concrete(f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/*")
        == f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/new"
    )
    assert concrete(f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:imgclass-dev/db/api-??????").endswith(
        "api-NeWrEs"
    )


def test_denials_of_one_call_on_many_objects_are_one_line():
    from scripts.iam.proof import Denial, _grouped

    lines = _grouped(
        [
            Denial(
                "s3:DeleteObject",
                f"arn:aws:s3:::b/{n}",
                "DeleteObjects",
                "destroy",
                "no statement allows it",
                "the call itself",
            )
            for n in range(3)
        ]
    )
    assert [d.resource for d in lines] == ["arn:aws:s3:::b/0 (and 2 more)"]
