"""modules/ecs-service (API shape) with modules/ecs-cluster and modules/alb: apply the api example to
the emulator, read everything back with boto3, re-plan, destroy. The load balancer alone takes ~60 s,
so the cluster and the load balancer are covered here rather than applied a second time on their own.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from scripts.terraform.tf import unique_name
from tests.harness import applied, assert_idempotent, example_workspace

pytestmark = [pytest.mark.emulator, pytest.mark.slow]
EXAMPLE = "modules/ecs-service/examples/api"


@pytest.fixture(scope="module")
def stack(emulator, tmp_path_factory):
    ws = example_workspace(EXAMPLE, emulator, tmp_path_factory.mktemp("ecsapi"))
    # Deletion protection off and force_destroy on only so that the finalizer can tear it down.
    tf_vars = {"name": unique_name("eapi", 20), "deletion_protection": False, "force_destroy": True}
    with applied(ws, tf_vars) as outputs:
        yield ws, outputs


@pytest.fixture(scope="module")
def task_definition(stack, aws):
    _, out = stack
    return aws("ecs").describe_task_definition(taskDefinition=out["task_definition_arn"])["taskDefinition"]


@pytest.fixture(scope="module")
def service(stack, aws):
    _, out = stack
    return aws("ecs").describe_services(cluster=out["cluster_name"], services=[out["service_name"]])["services"][0]


def _rules(ec2, group_id):
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])
    return rules["SecurityGroupRules"]


# --- task definition ----------------------------------------------------------------------------


def test_task_definition_is_fargate_awsvpc(task_definition):
    td = task_definition
    assert td["requiresCompatibilities"] == ["FARGATE"]
    assert td["networkMode"] == "awsvpc"
    assert (td["cpu"], td["memory"]) == ("512", "1024")
    assert td["runtimePlatform"] == {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"}
    assert [v["name"] for v in td["volumes"]] == ["tmp"]


def test_container_runs_read_only_as_non_root(stack, task_definition):
    _, out = stack
    (app,) = task_definition["containerDefinitions"]
    assert app["readonlyRootFilesystem"] is True
    assert app["user"] == "1000:1000"
    assert app["privileged"] is False
    assert app["linuxParameters"]["initProcessEnabled"] is True
    assert app["linuxParameters"]["capabilities"]["drop"] == ["ALL"]
    assert app["mountPoints"] == [{"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}]  # noqa: S108 - container path
    assert app["stopTimeout"] == 30
    assert app["healthCheck"]["command"][0] == "CMD-SHELL"
    assert app["portMappings"][0]["containerPort"] == 8080
    log = app["logConfiguration"]
    assert log["logDriver"] == "awslogs"
    assert log["options"]["awslogs-group"] == out["log_group_name"]
    assert log["options"]["awslogs-region"] == "eu-west-1"


def test_secrets_are_references_and_pool_size_is_injected(stack, task_definition):
    _, out = stack
    (app,) = task_definition["containerDefinitions"]
    assert app["secrets"] == [{"name": "SIGNING_KEY", "valueFrom": out["signing_key_secret_arn"]}]
    env = {e["name"]: e["value"] for e in app["environment"]}
    assert env["DB_POOL_SIZE"] == "5"
    assert not any("hunter" in v or v == out["signing_key_secret_arn"] for v in env.values())
    assert task_definition["executionRoleArn"] == out["execution_role_arn"]
    assert task_definition["taskRoleArn"] == out["task_role_arn"]


# --- service ----------------------------------------------------------------------------------


def test_service_network_has_no_public_ip(stack, service):
    _, out = stack
    vpc = service["networkConfiguration"]["awsvpcConfiguration"]
    assert vpc["assignPublicIp"] == "DISABLED"
    assert vpc["securityGroups"] == [out["security_group_id"]]
    assert len(vpc["subnets"]) == 2


def test_service_deployment_settings(service):
    config = service["deploymentConfiguration"]
    assert config["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert (config["minimumHealthyPercent"], config["maximumPercent"]) == (100, 200)
    assert service["healthCheckGracePeriodSeconds"] == 60
    assert service["enableExecuteCommand"] is False
    assert service["enableECSManagedTags"] is True
    assert service["propagateTags"] == "SERVICE"
    assert service["platformVersion"] == "LATEST"
    assert service["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE", "weight": 100, "base": 1}]
    assert "launchType" not in service
    assert service["desiredCount"] == 2


def test_service_registers_into_the_target_group(stack, service):
    _, out = stack
    assert service["loadBalancers"] == [
        {"targetGroupArn": out["target_group_arn"], "containerName": "app", "containerPort": 8080}
    ]


# --- load balancing --------------------------------------------------------------------------


def test_target_group_health_check(stack, aws):
    _, out = stack
    elb = aws("elbv2")
    (tg,) = elb.describe_target_groups(TargetGroupArns=[out["target_group_arn"]])["TargetGroups"]
    assert tg["TargetType"] == "ip"
    assert tg["HealthCheckPath"] == "/health"
    assert tg["Matcher"] == {"HttpCode": "200"}
    assert tg["Port"] == 8080
    attributes = {
        a["Key"]: a["Value"]
        for a in elb.describe_target_group_attributes(TargetGroupArn=tg["TargetGroupArn"])["Attributes"]
    }
    assert attributes["deregistration_delay.timeout_seconds"] == "30"
    assert attributes["slow_start.duration_seconds"] == "30"


def test_listener_rule_forwards_to_the_service(stack, aws):
    _, out = stack
    rules = aws("elbv2").describe_rules(ListenerArn=out["https_listener_arn"])["Rules"]
    (rule,) = [r for r in rules if not r["IsDefault"]]
    assert rule["Priority"] == "100"
    (condition,) = rule["Conditions"]
    assert condition["Field"] == "path-pattern"
    assert (condition.get("Values") or condition["PathPatternConfig"]["Values"]) == ["/*"]
    assert rule["Actions"][0]["Type"] == "forward"
    assert rule["Actions"][0]["TargetGroupArn"] == out["target_group_arn"]


def test_listeners_https_and_redirect(stack, aws):
    _, out = stack
    elb = aws("elbv2")
    listeners = {x["Port"]: x for x in elb.describe_listeners(LoadBalancerArn=out["alb_arn"])["Listeners"]}
    assert set(listeners) == {80, 443}
    https = listeners[443]
    assert https["Protocol"] == "HTTPS"
    assert https["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert https["Certificates"][0]["CertificateArn"] == out["certificate_arn"]
    assert https["DefaultActions"][0]["FixedResponseConfig"]["StatusCode"] == "404"
    redirect = listeners[80]["DefaultActions"][0]
    assert listeners[80]["Protocol"] == "HTTP"
    assert redirect["Type"] == "redirect"
    assert redirect["RedirectConfig"]["Protocol"] == "HTTPS"
    assert redirect["RedirectConfig"]["Port"] == "443"
    assert redirect["RedirectConfig"]["StatusCode"] == "HTTP_301"
    cert = aws("acm").describe_certificate(CertificateArn=out["certificate_arn"])["Certificate"]
    assert cert["Status"] == "ISSUED"


def test_load_balancer_attributes(stack, aws):
    _, out = stack
    elb = aws("elbv2")
    (lb,) = elb.describe_load_balancers(LoadBalancerArns=[out["alb_arn"]])["LoadBalancers"]
    assert lb["Type"] == "application"
    # The provider sends Scheme only for internal load balancers; AWS then defaults to internet-facing.
    assert lb.get("Scheme", "internet-facing") == "internet-facing"
    assert lb["SecurityGroups"] == [out["alb_security_group_id"]]
    assert out["alb_arn"].endswith(out["alb_arn_suffix"])
    attributes = {
        a["Key"]: a["Value"]
        for a in elb.describe_load_balancer_attributes(LoadBalancerArn=out["alb_arn"])["Attributes"]
    }
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attributes["deletion_protection.enabled"] == "false"  # turned off by the test to destroy
    assert attributes["access_logs.s3.enabled"] == "true"
    assert attributes["access_logs.s3.bucket"] == out["access_log_bucket"]
    assert attributes["access_logs.s3.prefix"] == "alb"
    encryption = aws("s3").get_bucket_encryption(Bucket=out["access_log_bucket"])["ServerSideEncryptionConfiguration"]
    assert encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    policy = json.loads(aws("s3").get_bucket_policy(Bucket=out["access_log_bucket"])["Policy"])
    assert {"ElbLogDeliveryAccount", "ElbLogDeliveryService"} <= {s["Sid"] for s in policy["Statement"]}


def test_security_group_chain(stack, aws):
    """Internet -> ALB (443/80) -> service (8080) -> database (5432) / HTTPS; nothing else."""
    _, out = stack
    ec2 = aws("ec2")
    alb_sg, svc_sg, db_sg = out["alb_security_group_id"], out["security_group_id"], out["database_security_group_id"]

    alb = _rules(ec2, alb_sg)
    assert sorted((r["FromPort"], r.get("CidrIpv4")) for r in alb if not r["IsEgress"]) == [
        (80, "0.0.0.0/0"),
        (443, "0.0.0.0/0"),
    ]
    assert [(r["FromPort"], r["ReferencedGroupInfo"]["GroupId"]) for r in alb if r["IsEgress"]] == [(8080, svc_sg)]

    svc = _rules(ec2, svc_sg)
    ingress = [r for r in svc if not r["IsEgress"]]
    assert [(r["FromPort"], r["ToPort"], r["ReferencedGroupInfo"]["GroupId"]) for r in ingress] == [
        (8080, 8080, alb_sg)
    ]
    assert not any(r.get("CidrIpv4") for r in ingress)
    egress = sorted(
        (r["FromPort"], r.get("CidrIpv4") or r["ReferencedGroupInfo"]["GroupId"]) for r in svc if r["IsEgress"]
    )
    assert egress == sorted([(443, "0.0.0.0/0"), (5432, db_sg)])
    assert all(r["Description"] for r in svc)


# --- autoscaling -----------------------------------------------------------------------------


def test_scalable_target_and_policies(stack, aws):
    _, out = stack
    aas = aws("application-autoscaling")
    (target,) = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[out["autoscaling_resource_id"]])[
        "ScalableTargets"
    ]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 4)
    policies = {
        p["PolicyName"].rsplit("-", 1)[-1]: p["TargetTrackingScalingPolicyConfiguration"]
        for p in aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=out["autoscaling_resource_id"])[
            "ScalingPolicies"
        ]
    }
    assert set(policies) == {"cpu", "memory", "requests"}
    assert policies["cpu"]["TargetValue"] == 60
    assert policies["memory"]["TargetValue"] == 75
    requests = policies["requests"]
    assert requests["TargetValue"] == 500
    spec = requests["PredefinedMetricSpecification"]
    assert spec["PredefinedMetricType"] == "ALBRequestCountPerTarget"
    tg_suffix = out["target_group_arn"].split(":")[-1]
    assert spec["ResourceLabel"] == f"{out['alb_arn_suffix']}/{tg_suffix}"
    assert all((p["ScaleInCooldown"], p["ScaleOutCooldown"]) == (300, 60) for p in policies.values())


# --- IAM and logs ----------------------------------------------------------------------------


def test_roles_trust_only_this_accounts_ecs_tasks(stack, aws):
    _, out = stack
    iam = aws("iam")
    for arn in (out["execution_role_arn"], out["task_role_arn"]):
        doc = iam.get_role(RoleName=arn.split("/")[-1])["Role"]["AssumeRolePolicyDocument"]
        doc = json.loads(doc) if isinstance(doc, str) else doc
        (statement,) = doc["Statement"]
        assert statement["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
        assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
        assert statement["Condition"]["ArnLike"] == {"aws:SourceArn": "arn:aws:ecs:eu-west-1:123456789012:*"}


def test_execution_role_reads_only_its_secret(stack, aws):
    _, out = stack
    role = out["execution_role_arn"].split("/")[-1]
    doc = aws("iam").get_role_policy(RoleName=role, PolicyName="pull-log-secrets")["PolicyDocument"]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    statements = {s["Sid"]: s for s in doc["Statement"]}
    assert statements["ReadListedSecrets"]["Resource"] == out["signing_key_secret_arn"]
    assert statements["DecryptListedSecrets"]["Condition"]["StringEquals"]["kms:ViaService"]
    assert statements["EcrPullServiceImages"]["Resource"].endswith(":repository/imgclass/api")
    assert "ReadListedParameters" not in statements


def test_task_role_has_exactly_the_passed_statements(stack, aws):
    _, out = stack
    role = out["task_role_arn"].split("/")[-1]
    doc = aws("iam").get_role_policy(RoleName=role, PolicyName="application")["PolicyDocument"]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    assert [s["Sid"] for s in doc["Statement"]] == ["PresignUploads", "StartJobs"]
    assert aws("iam").list_attached_role_policies(RoleName=role)["AttachedPolicies"] == []


def test_log_group_encrypted_with_retention(stack, aws):
    _, out = stack
    (group,) = aws("logs").describe_log_groups(logGroupNamePrefix=out["log_group_name"])["logGroups"]
    assert group["retentionInDays"] == 365
    key = aws("kms").describe_key(KeyId=group["kmsKeyId"])["KeyMetadata"]
    assert key["KeyManager"] == "CUSTOMER"
    policy = json.loads(aws("kms").get_key_policy(KeyId=group["kmsKeyId"], PolicyName="default")["Policy"])
    logs = next(s for s in policy["Statement"] if s["Sid"] == "CloudWatchLogs")
    assert logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"].endswith(
        f":log-group:{out['log_group_name']}"
    )


def test_cluster_insights_capacity_providers_and_exec_audit(stack, aws):
    _, out = stack
    (cluster,) = aws("ecs").describe_clusters(clusters=[out["cluster_arn"]], include=["SETTINGS", "CONFIGURATIONS"])[
        "clusters"
    ]
    assert {"name": "containerInsights", "value": "enhanced"} in cluster["settings"]
    assert sorted(cluster["capacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]
    exec_config = cluster["configuration"]["executeCommandConfiguration"]
    assert exec_config["logging"] == "OVERRIDE"
    assert exec_config["logConfiguration"]["cloudWatchEncryptionEnabled"] is True


# --- idempotency and destroy -----------------------------------------------------------------


def test_replan_is_clean(stack):
    ws, _ = stack
    assert_idempotent(ws)


def test_destroy_removes_service_and_load_balancer(stack, aws):
    ws, out = stack
    ws.destroy()
    assert ws.state_resources() == []
    clusters = aws("ecs").describe_clusters(clusters=[out["cluster_arn"]])
    assert all(c["status"] == "INACTIVE" for c in clusters["clusters"])
    with pytest.raises(ClientError):
        aws("iam").get_role(RoleName=out["task_role_arn"].split("/")[-1])
    with pytest.raises(ClientError):
        aws("elbv2").describe_load_balancers(LoadBalancerArns=[out["alb_arn"]])
