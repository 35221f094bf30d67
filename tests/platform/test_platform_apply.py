"""Day one of the dev platform, run as README and the workflows say (docs/adr/0017), and the IAM proof.

An administrator runs README's first-deploy steps (bootstrap, with the permissions boundary that
bootstrap.tfvars.example and docs/cicd.md recommend); the per-account values are set where README
opens $EDITOR; then pull-request.yml's plan job and deploy.yml's terraform-apply job run step by step
as the plan and apply roles (assumed with the GitHub OIDC tokens of a pull request and of the dev
environment): the first merge parks the services (no image yet), the image build pushes, the next
merge names the tag and the tasks start. The tests read the links that matter back with boto3,
re-plan (also after a prompt is edited in Parameter Store), merge a change to dev.tfvars, plan both
environments as the plan roles and destroy. Every call of every role is recorded and, at the end,
judged against the roles' IAM policies (docs/adr/0016-iam-proof.md); the same calls are judged once
more against the policies of a bootstrap without the boundary.
"""

from __future__ import annotations

import copy
import json
import math
import re
import tomllib
from pathlib import Path

import pytest

from scripts.iam.proof import Request, decide, judge, report_lines
from scripts.iam.run import UPDATE, proof
from tests.harness import assert_idempotent
from tests.platform.support import as_list, statements_by_sid

pytestmark = [pytest.mark.emulator, pytest.mark.slow]

ACCOUNT = "123456789012"
# Exactly as terraform/bootstrap/bootstrap.tfvars.example recommends.
BOUNDARY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/platform-workload-boundary"
CONTRACT = Path(__file__).with_name("task_roles.toml")
IMAGE_TAG = "3f2a9c1"


def desired_counts(emulator, outputs):
    services = emulator.client("ecs").describe_services(
        cluster=outputs["cluster_name"], services=list(outputs["service_names"].values())
    )["services"]
    return {s["serviceName"]: s["desiredCount"] for s in services}


@pytest.fixture(scope="module")
def deployment(emulator, call_bus, tmp_path_factory):
    with proof(emulator, call_bus, tmp_path_factory.mktemp("platform-proof"), boundary_arn=BOUNDARY_ARN) as run:
        run.bootstrap_account()
        run.apply_platform()
        # Day one as README's first-deploy section runs it: the first deploy parks the services (no
        # image yet), the image build pushes, the next deploy names the tag and the tasks start.
        run.parked = desired_counts(emulator, run.outputs)
        run.push_images(IMAGE_TAG)
        run.deploy_image(IMAGE_TAG)
        yield run


@pytest.fixture(scope="module")
def stack(deployment):
    return deployment.platform, deployment.outputs, deployment.networks["dev"]


@pytest.fixture(scope="module")
def ids(stack, aws):
    """Identifiers of the deployed pieces, read from the emulator (not from Terraform)."""
    _, out, _ = stack
    ecs = aws("ecs")
    services = ecs.describe_services(cluster=out["cluster_name"], services=list(out["service_names"].values()))
    by_name = {s["serviceName"]: s for s in services["services"]}
    lb = next(
        lb for lb in aws("elbv2").describe_load_balancers()["LoadBalancers"] if lb["DNSName"] == out["alb_dns_name"]
    )
    proxy = aws("rds").describe_db_proxies(DBProxyName="imgclass-dev")["DBProxies"][0]
    db = aws("rds").describe_db_instances(DBInstanceIdentifier=out["database_identifier"])["DBInstances"][0]

    def service_sg(role):
        cfg = by_name[out["service_names"][role]]["networkConfiguration"]["awsvpcConfiguration"]
        assert cfg["assignPublicIp"] == "DISABLED"
        return cfg["securityGroups"][0]

    return {
        "services": {role: by_name[name] for role, name in out["service_names"].items()},
        "lb": lb,
        "proxy": proxy,
        "db": db,
        "sg": {
            "alb": lb["SecurityGroups"][0],
            "api": service_sg("api"),
            "worker": service_sg("worker"),
            "proxy": proxy["VpcSecurityGroupIds"][0],
            "db": db["VpcSecurityGroups"][0]["VpcSecurityGroupId"],
        },
    }


def ingress(aws, group_id):
    rules = aws("ec2").describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])
    return [r for r in rules["SecurityGroupRules"] if not r["IsEgress"]]


def sources(rules):
    return {(r.get("ReferencedGroupInfo", {}).get("GroupId") or r.get("CidrIpv4"), r["FromPort"]) for r in rules}


def test_security_group_chain(ids, aws):
    sg = ids["sg"]
    assert sources(ingress(aws, sg["alb"])) == {("0.0.0.0/0", 443), ("0.0.0.0/0", 80)}
    assert sources(ingress(aws, sg["api"])) == {(sg["alb"], 8080)}
    assert sources(ingress(aws, sg["worker"])) == set()
    assert sources(ingress(aws, sg["proxy"])) == {(sg["api"], 5432), (sg["worker"], 5432)}
    assert sources(ingress(aws, sg["db"])) == {(sg["proxy"], 5432)}


def test_nothing_but_the_load_balancer_is_open_to_the_internet(stack, ids, aws):
    _, _, net = stack
    groups = aws("ec2").describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [net["vpc_id"]]}])
    open_groups = {
        g["GroupId"]
        for g in groups["SecurityGroups"]
        for r in ingress(aws, g["GroupId"])
        if r.get("CidrIpv4") == "0.0.0.0/0" or r.get("CidrIpv6") == "::/0"
    }
    assert open_groups == {ids["sg"]["alb"]}


def task_role_statements(aws, service):
    task = aws("ecs").describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    role = task["taskRoleArn"].split("/")[-1]
    iam = aws("iam")
    statements = []
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        statements += iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]["Statement"]
    assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == []
    return task, statements_by_sid({"Statement": statements})


# Each service's task role, statement by statement: the actions it grants (sorted), nothing else.
TASK_ROLE_ACTIONS = {
    "api": {
        "PresignUploadPut": ["s3:PutObject"],
        "UploadEncryption": ["kms:GenerateDataKey"],
        "SendJobs": ["sqs:SendMessage"],
        "JobQueueEncryption": ["kms:Decrypt", "kms:GenerateDataKey"],
        "ConnectThroughProxy": ["rds-db:connect"],
    },
    "worker": {
        "ReadUploads": ["s3:GetObject"],
        "UploadDecryption": ["kms:Decrypt"],
        "WriteResults": ["s3:PutObject"],
        "ResultEncryption": ["kms:GenerateDataKey"],
        "ConsumeJobs": ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:ReceiveMessage"],
        "ReadRuntimeParameters": ["ssm:GetParameter", "ssm:GetParameters"],
        "QueueAndParameterDecryption": ["kms:Decrypt"],
        "ConnectThroughProxy": ["rds-db:connect"],
        "PublishJobMetrics": ["cloudwatch:PutMetricData"],
        "InvokeClassificationModel": ["bedrock:InvokeModel"],
    },
}


@pytest.mark.parametrize("service", TASK_ROLE_ACTIONS)
def test_task_role_has_exactly_its_statements(ids, aws, service):
    _, by_sid = task_role_statements(aws, ids["services"][service])
    assert {sid: sorted(as_list(s["Action"])) for sid, s in by_sid.items()} == TASK_ROLE_ACTIONS[service]


def test_api_task_role_reaches_its_own_resources(stack, ids, aws):
    _, out, _ = stack
    task, by_sid = task_role_statements(aws, ids["services"]["api"])
    assert as_list(by_sid["PresignUploadPut"]["Resource"]) == [f"arn:aws:s3:::{out['uploads_bucket']}/uploads/*"]
    assert as_list(by_sid["SendJobs"]["Resource"]) == [
        aws("sqs").get_queue_attributes(QueueUrl=out["queue_url"], AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
    ]
    proxy_id = ids["proxy"]["DBProxyArn"].split(":")[-1]
    assert as_list(by_sid["ConnectThroughProxy"]["Resource"]) == [
        f"arn:aws:rds-db:eu-west-1:123456789012:dbuser:{proxy_id}/imgclass_api"
    ]
    assert by_sid["JobQueueEncryption"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "sqs.eu-west-1.amazonaws.com"}
    }
    env = {e["name"]: e["value"] for e in task["containerDefinitions"][0]["environment"]}
    assert env["DB_POOL_SIZE"] == "5" and env["DB_USER"] == "imgclass_api"
    assert env["JOB_QUEUE_URL"] == out["queue_url"] and env["UPLOAD_BUCKET"] == out["uploads_bucket"]


def test_worker_task_role_reaches_its_own_resources(stack, ids, aws):
    _, out, _ = stack
    task, by_sid = task_role_statements(aws, ids["services"]["worker"])
    assert as_list(by_sid["InvokeClassificationModel"]["Resource"]) == [
        "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    ]
    assert as_list(by_sid["WriteResults"]["Resource"]) == [f"arn:aws:s3:::{out['results_bucket']}/results/*"]
    params = sorted(r.split(":parameter")[-1] for r in as_list(by_sid["ReadRuntimeParameters"]["Resource"]))
    assert params == sorted(out["worker_parameter_names"])
    assert as_list(by_sid["ConnectThroughProxy"]["Resource"])[0].endswith("/imgclass_worker")
    assert by_sid["PublishJobMetrics"]["Condition"] == {"StringEquals": {"cloudwatch:namespace": "imgclass/dev/jobs"}}
    env = {e["name"]: e["value"] for e in task["containerDefinitions"][0]["environment"]}
    assert env["DB_POOL_SIZE"] == "2" and env["PARAMETER_PREFIX"] == "/imgclass/dev/worker"


def test_proxy_requires_tls_and_iam_for_every_user(ids, aws):
    proxy = ids["proxy"]
    assert proxy["RequireTLS"] is True
    assert {a["IAMAuth"] for a in proxy["Auth"]} == {"REQUIRED"}
    secrets = {a["SecretArn"] for a in proxy["Auth"]}
    assert ids["db"]["MasterUserSecret"]["SecretArn"] in secrets
    names = {aws("secretsmanager").describe_secret(SecretId=s)["Name"] for s in secrets}
    assert {"imgclass-dev/db/api", "imgclass-dev/db/worker"} <= names
    target = aws("rds").describe_db_proxy_targets(DBProxyName=proxy["DBProxyName"])["Targets"]
    assert [t["RdsResourceId"] for t in target if t["Type"] == "RDS_INSTANCE"] == [ids["db"]["DBInstanceIdentifier"]]


def test_database_is_private_encrypted_and_iam_enabled(ids):
    db = ids["db"]
    assert db["PubliclyAccessible"] is False
    assert db["StorageEncrypted"] is True
    assert db["IAMDatabaseAuthenticationEnabled"] is True
    assert db["DBInstanceClass"] == "db.t4g.micro"


def test_bucket_policies_and_encryption(deployment, stack, aws):
    _, out, _ = stack
    s3 = aws("s3")
    for bucket in (out["uploads_bucket"], out["results_bucket"], out["logs_bucket"]):
        sids = statements_by_sid(json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]))
        assert {"DenyInsecureTransport", "DenyOutdatedTLS"} <= set(sids), bucket
    logs = statements_by_sid(json.loads(s3.get_bucket_policy(Bucket=out["logs_bucket"])["Policy"]))
    # modules/private-s3's grant for the load balancer's delivery (elb_log_delivery_prefix): the
    # regional ELB account and the service principal, under the prefix the load balancer writes to.
    for sid, principal in (
        ("ElbLogDeliveryAccount", {"AWS": "arn:aws:iam::156460612806:root"}),
        ("ElbLogDeliveryService", {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}),
    ):
        assert as_list(logs[sid]["Resource"]) == [f"arn:aws:s3:::{out['logs_bucket']}/alb/AWSLogs/123456789012/*"]
        assert logs[sid]["Principal"] == principal, sid
    assert logs["S3ServerAccessLogsUploads"]["Condition"]["ArnLike"]["aws:SourceArn"] == (
        f"arn:aws:s3:::{out['uploads_bucket']}"
    )
    algo = {
        b: s3.get_bucket_encryption(Bucket=b)["ServerSideEncryptionConfiguration"]["Rules"][0][
            "ApplyServerSideEncryptionByDefault"
        ]["SSEAlgorithm"]
        for b in (out["uploads_bucket"], out["results_bucket"], out["logs_bucket"])
    }
    assert algo == {out["uploads_bucket"]: "aws:kms", out["results_bucket"]: "aws:kms", out["logs_bucket"]: "AES256"}
    cors = s3.get_bucket_cors(Bucket=out["uploads_bucket"])["CORSRules"][0]
    assert cors["AllowedMethods"] == ["PUT"]
    assert sorted(cors["AllowedOrigins"]) == sorted(deployment.environment_inputs("dev")["allowed_origins"])


def test_job_queue_redrive_and_encryption(stack, aws):
    _, out, _ = stack
    sqs = aws("sqs")
    jobs = sqs.get_queue_attributes(QueueUrl=out["queue_url"], AttributeNames=["All"])["Attributes"]
    dlq = sqs.get_queue_attributes(QueueUrl=out["dead_letter_queue_url"], AttributeNames=["All"])["Attributes"]
    assert json.loads(jobs["RedrivePolicy"]) == {"deadLetterTargetArn": dlq["QueueArn"], "maxReceiveCount": 3}
    assert json.loads(dlq["RedriveAllowPolicy"]) == {
        "redrivePermission": "byQueue",
        "sourceQueueArns": [jobs["QueueArn"]],
    }
    assert jobs["KmsMasterKeyId"] == dlq["KmsMasterKeyId"]
    assert aws("kms").describe_key(KeyId=jobs["KmsMasterKeyId"])["KeyMetadata"]["KeyManager"] == "CUSTOMER"
    policy = json.loads(jobs["Policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_waf_protects_the_load_balancer(ids, aws):
    acl = aws("wafv2").get_web_acl_for_resource(ResourceArn=ids["lb"]["LoadBalancerArn"])["WebACL"]
    assert acl["Name"] == "imgclass-dev"
    rate = next(r for r in acl["Rules"] if r["Name"] == "start-job-per-ip")["Statement"]["RateBasedStatement"]
    assert (rate["Limit"], rate["EvaluationWindowSec"], rate["AggregateKeyType"]) == (10, 600, "IP")


def test_alarms_notify_the_topic(stack, ids, aws):
    _, out, _ = stack
    cw = aws("cloudwatch")
    alarms = cw.describe_alarms(AlarmNamePrefix="imgclass-dev-")
    metric, composite = alarms["MetricAlarms"], alarms["CompositeAlarms"]
    assert metric and composite
    topic = out["alarm_topic_arn"]
    for alarm in [*metric, *composite]:
        assert set(alarm["AlarmActions"]) <= {topic}, alarm["AlarmName"]
    degraded = next(a for a in composite if a["AlarmName"] == "imgclass-dev-service-degraded")
    assert degraded["AlarmActions"] == [topic] and degraded["OKActions"] == [topic]
    # The connection alarm is derived from the database's max_connections, not typed twice.
    conn = next(a for a in metric if a.get("MetricName") == "DatabaseConnections" and a.get("Namespace") == "AWS/RDS")
    assert conn["Threshold"] == math.floor(out["connection_budget"]["max_connections"] * 0.8)
    assert re.search(r"docs/runbooks/[a-z-]+\.md", conn["AlarmDescription"])
    dashboard = json.loads(cw.get_dashboard(DashboardName="imgclass-dev")["DashboardBody"])
    assert dashboard["widgets"]


def test_worker_parameters(stack, aws):
    ssm = aws("ssm")
    prompt = ssm.get_parameter(Name="/imgclass/dev/worker/prompts/default", WithDecryption=True)["Parameter"]
    assert prompt["Type"] == "SecureString" and prompt["Value"].startswith("Classify the image")
    model = json.loads(ssm.get_parameter(Name="/imgclass/dev/worker/model", WithDecryption=True)["Parameter"]["Value"])
    assert model["max_output_tokens"] == 256


def test_a_prompt_edited_in_parameter_store_survives_a_replan(deployment, stack, aws):
    """docs/adr/0004: Terraform creates the parameters, whoever tunes prompts owns their values."""
    ws, _, _ = stack
    deployment.log.phase = "replan"
    ssm = aws("ssm")
    name = "/imgclass/dev/worker/prompts/default"
    ssm.put_parameter(Name=name, Value="Classify the image. Be brief.", Type="SecureString", Overwrite=True)
    inventory = assert_idempotent(ws)
    assert not [a for a in inventory.changed() if "aws_ssm_parameter" in a]
    assert ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"] == "Classify the image. Be brief."


def test_the_first_deploy_parks_the_services_and_the_image_deploy_starts_them(deployment, aws):
    names = deployment.outputs["service_names"]
    assert deployment.parked == {names["api"]: 0, names["worker"]: 0}
    assert desired_counts(deployment.emulator, deployment.outputs) == {names["api"]: 1, names["worker"]: 1}
    for service in aws("ecs").describe_services(
        cluster=deployment.outputs["cluster_name"], services=list(names.values())
    )["services"]:
        task = aws("ecs").describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
        assert task["containerDefinitions"][0]["image"].endswith(f":{IMAGE_TAG}")


def test_outputs(stack):
    _, out, _ = stack
    assert out["api_url"] == f"https://{out['alb_dns_name']}"
    assert set(out["repository_urls"]) == {"api", "worker"}
    assert out["dashboard_url"].endswith("#dashboards/dashboard/imgclass-dev")
    assert out["connection_budget"]["total"] == 19


def test_an_update_applies_in_place_and_re_plans_clean(deployment, stack, aws):
    """A pull request's kind of change (dev.tfvars: a new tag on everything, a longer log retention),
    merged: re-planned from the checkout of the commit it deployed."""
    _, out, _ = stack
    deployment.update_in_place()
    tags = aws("sqs").list_queue_tags(QueueUrl=out["queue_url"])["Tags"]
    assert tags["Team"] == UPDATE["tags"]["Team"]
    groups = aws("logs").describe_log_groups(logGroupNamePrefix="/ecs/imgclass-dev")["logGroups"]
    assert groups and {g["retentionInDays"] for g in groups} == {UPDATE["log_retention_days"]}
    deployment.log.phase = "replan"
    assert_idempotent(deployment.platform)


def contract_facts(deployment, aws):
    out, region = deployment.outputs, deployment.emulator.region
    s3, sqs = aws("s3"), aws("sqs")

    def bucket_key(bucket):
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        return deployment.log.view.key_arn(rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"])

    queue = sqs.get_queue_attributes(QueueUrl=out["queue_url"], AttributeNames=["All"])["Attributes"]
    parameter = aws("ssm").describe_parameters(
        ParameterFilters=[{"Key": "Name", "Values": ["/imgclass/dev/worker/prompts/default"]}]
    )["Parameters"][0]
    proxy = aws("rds").describe_db_proxies(DBProxyName="imgclass-dev")["DBProxies"][0]
    secret = aws("secretsmanager").describe_secret(SecretId="imgclass-dev/db/api")["ARN"]
    return {
        "region": region,
        "account": ACCOUNT,
        "env": "dev",
        "uploads_bucket": out["uploads_bucket"],
        "results_bucket": out["results_bucket"],
        "uploads_key": bucket_key(out["uploads_bucket"]),
        "results_key": bucket_key(out["results_bucket"]),
        "queue_arn": queue["QueueArn"],
        "queue_key": deployment.log.view.key_arn(queue["KmsMasterKeyId"]),
        "parameter_key": deployment.log.view.key_arn(parameter["KeyId"]),
        "proxy_id": proxy["DBProxyArn"].rsplit(":", 1)[-1],
        "api_db_secret": secret,
    }


def contract_roles(deployment, aws):
    ecs, out = aws("ecs"), deployment.outputs
    services = ecs.describe_services(cluster=out["cluster_name"], services=list(out["service_names"].values()))
    roles = {}
    for role, name in out["service_names"].items():
        service = next(s for s in services["services"] if s["serviceName"] == name)
        task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
        roles[role] = task["taskRoleArn"]
        roles[f"{role}_execution"] = task["executionRoleArn"]
    return roles


@pytest.mark.parametrize("expected", ["allowed", "denied"])
def test_task_roles_keep_their_contract(deployment, aws, expected):
    """tests/platform/task_roles.toml: what the services must and must not be able to do."""
    facts, roles = contract_facts(deployment, aws), contract_roles(deployment, aws)
    rows = tomllib.loads(CONTRACT.read_text())[expected]
    wrong = []
    for role in sorted({r["role"] for r in rows}):
        mine = [r for r in rows if r["role"] == role]
        requests = [
            Request(
                r["action"],
                r["resource"].format(**facts),
                {k: v.format(**facts) for k, v in r.get("context", {}).items()},
            )
            for r in mine
        ]
        for row, request, result in zip(
            mine, requests, decide(deployment.log.view, roles[role], requests), strict=True
        ):
            if (result == "Allowed") != (expected == "allowed"):
                wrong.append(f"{role} {request.action} on {request.resource}: {result} ({row['why']})")
    assert not wrong, "task-role contract broken:\n" + "\n".join(wrong)


def test_every_platform_role_carries_the_boundary(deployment, aws):
    iam = aws("iam")
    roles = [r for r in iam.list_roles()["Roles"] if r["RoleName"].startswith("imgclass-dev")]
    assert roles
    missing = [
        r["RoleName"]
        for r in roles
        if iam.get_role(RoleName=r["RoleName"])["Role"].get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
        != BOUNDARY_ARN
    ]
    assert not missing


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_plan_role_plans_from_a_pull_request(deployment, env):
    inventory = deployment.plan_as_pull_request(env)
    assert inventory.resources, env


def test_destroy_leaves_nothing(deployment, stack, aws):
    ws, out, _ = stack
    deployment.destroy_platform()
    assert ws.state_resources() == []
    rds = aws("rds")
    assert not [d for d in rds.describe_db_instances()["DBInstances"] if d["DBInstanceIdentifier"] == "imgclass-dev"]
    assert not [p for p in rds.describe_db_proxies()["DBProxies"] if p["DBProxyName"] == "imgclass-dev"]
    assert not [b for b in aws("s3").list_buckets()["Buckets"] if b["Name"].startswith("imgclass-dev-")]
    clusters = aws("ecs").describe_clusters(clusters=[out["cluster_name"]])["clusters"]
    assert all(c["status"] == "INACTIVE" for c in clusters)


# --- the IAM proof: every call the roles made, judged against their policies -------------------------


def apply_role(deployment):
    return deployment.apply_session.role_arn


def test_apply_role_made_every_call_it_needed(deployment):
    verdict = deployment.verdict(apply_role(deployment))
    phases = {r.phase for r in deployment.log.of_role(apply_role(deployment))}
    assert {"apply", "replan", "update", "destroy"} <= phases
    assert verdict.calls > 500 and verdict.evaluations > 300
    assert verdict.ok, "\n".join(report_lines([verdict]))


def test_plan_roles_made_every_call_they_needed(deployment):
    assert len(deployment.plan_roles) == 2
    for role in sorted(deployment.plan_roles):
        verdict = deployment.verdict(role)
        assert verdict.calls > 20
        assert verdict.ok, "\n".join(report_lines([verdict]))


def test_the_proof_fails_when_the_apply_policy_loses_a_statement(deployment):
    """A scratch copy of the apply role's policies without the Queues statement: the proof names it."""
    role = apply_role(deployment)
    policies, boundary = deployment.log.view.role_policies(role)
    broken = copy.deepcopy(policies)
    removed = 0
    for policy in broken:
        statements = policy["policy"]["Statement"]
        policy["policy"]["Statement"] = [s for s in statements if s.get("Sid") != "Queues"]
        removed += len(statements) - len(policy["policy"]["Statement"])
    assert removed == 1
    verdict = judge(deployment.log.of_role(role), broken, boundary)
    queue = f"arn:aws:sqs:{deployment.emulator.region}:{ACCOUNT}:imgclass-dev-jobs"
    denied = {(d.action, d.resource.split(" ")[0]) for d in verdict.denials}
    assert ("sqs:CreateQueue", queue) in denied
    assert any(line.startswith(f"  DENIED sqs:CreateQueue on {queue}") for line in report_lines([verdict]))


def test_without_the_boundary_the_same_calls_are_allowed(deployment):
    """The bootstrap without permissions_boundary_arn: its roles drop the boundary conditions, the
    platform's CreateRole calls carry no boundary, everything else is the same call."""
    role = apply_role(deployment)
    records = copy.deepcopy(deployment.log.of_role(role))
    for record in records:
        record.call.params.pop("PermissionsBoundary", None)
        for intent in record.intents:
            intent.context.pop("iam:PermissionsBoundary", None)
    deployment.bootstrap_account(rebootstrap={"permissions_boundary_arn": None})
    policies, boundary = deployment.log.view.role_policies(role)
    assert "iam:PermissionsBoundary" not in json.dumps(policies)
    verdict = judge(records, policies, boundary)
    assert verdict.ok, "\n".join(report_lines([verdict]))


# The service reference files kms:Decrypt under Write; it changes nothing, and reading the encrypted
# state and SecureString parameters needs it.
READ_ONLY_BY_NATURE = {"kms:Decrypt"}


def test_plan_roles_hold_no_write_action(deployment):
    """Every action the plan roles' policies grant is Read or List in the IAM service reference
    (or kms:Decrypt): pull-request and drift plans run with -lock=false, so not even the state lock
    is written."""
    from scripts.iam import evaluator

    for role in sorted(deployment.plan_roles):
        policies, _ = deployment.log.view.role_policies(role)
        statements = [s for p in policies for s in p["policy"]["Statement"] if s["Effect"] == "Allow"]
        patterns = {a for s in statements for a in as_list(s["Action"])}
        granted = evaluator.expand(patterns)
        assert None not in granted.values(), "a policy names an unknown service"
        writes = []
        for statement in statements:
            for pattern in as_list(statement["Action"]):
                for action in granted[pattern]:
                    if action["accessLevel"] not in ("Read", "List") and action["action"] not in READ_ONLY_BY_NATURE:
                        writes.append(f"{action['action']} ({action['accessLevel']}) on {statement['Resource']}")
        assert not writes, f"{role} can write:\n" + "\n".join(sorted(set(writes)))
