"""The whole dev platform applied to the emulator once: read back the links that matter with boto3,
prove that a re-plan is clean (also after a prompt is edited in Parameter Store), then destroy."""

from __future__ import annotations

import json
import math
import re

import pytest

from scripts.fixtures.network import create_certificate, delete_certificate
from tests.harness import applied, assert_idempotent
from tests.platform.support import as_list, network, platform_workspace, statements_by_sid

pytestmark = [pytest.mark.emulator, pytest.mark.slow]


@pytest.fixture(scope="module")
def stack(emulator, tmp_path_factory):
    with network(emulator) as net:
        cert = create_certificate(emulator, emulator.region, "api.dev.example.com")
        try:
            ws = platform_workspace(
                "dev", emulator, tmp_path_factory.mktemp("platform-apply"), net, {"certificate_arn": cert}
            )
            with applied(ws) as outputs:
                yield ws, outputs, net
        finally:
            delete_certificate(emulator, emulator.region, cert)


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


def test_api_task_role_has_exactly_its_statements(stack, ids, aws):
    _, out, _ = stack
    task, by_sid = task_role_statements(aws, ids["services"]["api"])
    actions = {sid: sorted(as_list(s["Action"])) for sid, s in by_sid.items()}
    assert actions == {
        "PresignUploadPut": ["s3:PutObject"],
        "UploadEncryption": ["kms:GenerateDataKey"],
        "SendJobs": ["sqs:SendMessage"],
        "JobQueueEncryption": ["kms:Decrypt", "kms:GenerateDataKey"],
        "ConnectThroughProxy": ["rds-db:connect"],
    }
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


def test_worker_task_role_has_exactly_its_statements(stack, ids, aws):
    _, out, _ = stack
    task, by_sid = task_role_statements(aws, ids["services"]["worker"])
    actions = {sid: sorted(as_list(s["Action"])) for sid, s in by_sid.items()}
    assert actions == {
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
    }
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
    assert db["DBInstanceClass"] == "db.t4g.small"


def test_bucket_policies_and_encryption(stack, aws):
    _, out, _ = stack
    s3 = aws("s3")
    for bucket in (out["uploads_bucket"], out["results_bucket"], out["logs_bucket"]):
        sids = statements_by_sid(json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]))
        assert {"DenyInsecureTransport", "DenyOutdatedTLS"} <= set(sids), bucket
    logs = statements_by_sid(json.loads(s3.get_bucket_policy(Bucket=out["logs_bucket"])["Policy"]))
    assert as_list(logs["AlbLogDelivery"]["Resource"]) == [
        f"arn:aws:s3:::{out['logs_bucket']}/alb/AWSLogs/123456789012/*"
    ]
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
    assert sorted(cors["AllowedOrigins"]) == ["http://localhost:3000", "https://app.dev.example.com"]


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


def test_a_prompt_edited_in_parameter_store_survives_a_replan(stack, aws):
    """docs/adr/0004: Terraform creates the parameters, whoever tunes prompts owns their values."""
    ws, _, _ = stack
    ssm = aws("ssm")
    name = "/imgclass/dev/worker/prompts/default"
    ssm.put_parameter(Name=name, Value="Classify the image. Be brief.", Type="SecureString", Overwrite=True)
    inventory = assert_idempotent(ws)
    assert not [a for a in inventory.changed() if "aws_ssm_parameter" in a]
    assert ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"] == "Classify the image. Be brief."


def test_outputs(stack):
    _, out, _ = stack
    assert out["api_url"] == f"https://{out['alb_dns_name']}"
    assert set(out["repository_urls"]) == {"api", "worker"}
    assert out["dashboard_url"].endswith("#dashboards/dashboard/imgclass-dev")
    assert out["connection_budget"]["total"] == 19


def test_destroy_leaves_nothing(stack, aws):
    ws, out, _ = stack
    ws.destroy()
    assert ws.state_resources() == []
    rds = aws("rds")
    assert not [d for d in rds.describe_db_instances()["DBInstances"] if d["DBInstanceIdentifier"] == "imgclass-dev"]
    assert not [p for p in rds.describe_db_proxies()["DBProxies"] if p["DBProxyName"] == "imgclass-dev"]
    assert not [b for b in aws("s3").list_buckets()["Buckets"] if b["Name"].startswith("imgclass-dev-")]
    clusters = aws("ecs").describe_clusters(clusters=[out["cluster_name"]])["clusters"]
    assert all(c["status"] == "INACTIVE" for c in clusters)
