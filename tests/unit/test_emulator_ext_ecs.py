"""scripts/emulator/ext_ecs.py: CreateService settings are kept and described like AWS does."""

from __future__ import annotations

import pytest

from scripts.emulator import Emulator


@pytest.fixture(scope="module")
def ecs_world():
    with Emulator() as emu:
        ec2 = emu.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
        group = ec2.create_security_group(VpcId=vpc, GroupName="svc", Description="svc")["GroupId"]
        ecs = emu.client("ecs")
        ecs.create_cluster(clusterName="ext-ecs")
        ecs.register_task_definition(
            family="ext-ecs",
            containerDefinitions=[{"name": "app", "image": "nginx:1.27"}],
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="512",
        )
        network = {
            "awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group], "assignPublicIp": "DISABLED"}
        }
        yield ecs, network


def _create(ecs_world, name, **settings):
    """Service ``name`` created in the fixture's cluster and network with ``settings``, as described back."""
    ecs, network = ecs_world
    ecs.create_service(
        cluster="ext-ecs",
        serviceName=name,
        taskDefinition="ext-ecs",
        desiredCount=1,
        networkConfiguration=network,
        **settings,
    )
    return _describe(ecs, name)


def _describe(ecs, name):
    return ecs.describe_services(cluster="ext-ecs", services=[name])["services"][0]


def test_settings_given_at_creation_are_described(ecs_world):
    strategy = [
        {"capacityProvider": "FARGATE_SPOT", "weight": 3},  # base left out, as the provider does for 0
        {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
    ]
    service = _create(
        ecs_world,
        "given",
        capacityProviderStrategy=strategy,
        deploymentConfiguration={
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        },
        enableECSManagedTags=True,
        enableExecuteCommand=False,
        healthCheckGracePeriodSeconds=60,
        availabilityZoneRebalancing="DISABLED",
    )
    assert service["capacityProviderStrategy"] == [
        {"capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 0},
        {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
    ]
    assert "launchType" not in service  # a strategy places the tasks, not a launch type
    assert service["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert service["enableECSManagedTags"] is True
    assert service["enableExecuteCommand"] is False
    assert service["healthCheckGracePeriodSeconds"] == 60
    assert service["availabilityZoneRebalancing"] == "DISABLED"


def test_defaults_when_not_given(ecs_world):
    service = _create(ecs_world, "plain", launchType="FARGATE")
    assert service["launchType"] == "FARGATE"
    assert "capacityProviderStrategy" not in service
    assert service["deploymentConfiguration"] == {
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
    }
    assert service["enableECSManagedTags"] is False
    assert "healthCheckGracePeriodSeconds" not in service


def test_partial_deployment_configuration_keeps_aws_defaults(ecs_world):
    config = _create(
        ecs_world, "partial", deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": False}}
    )["deploymentConfiguration"]
    assert config["deploymentCircuitBreaker"] == {"enable": True, "rollback": False}
    assert (config["minimumHealthyPercent"], config["maximumPercent"]) == (100, 200)


def test_update_service_changes_what_create_stored(ecs_world):
    ecs, _ = ecs_world
    _create(
        ecs_world, "updated", deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
    )
    ecs.update_service(
        cluster="ext-ecs",
        service="updated",
        deploymentConfiguration={
            "deploymentCircuitBreaker": {"enable": True, "rollback": False},
            "maximumPercent": 150,
            "minimumHealthyPercent": 50,
        },
        enableExecuteCommand=True,
    )
    service = _describe(ecs, "updated")
    assert service["deploymentConfiguration"]["maximumPercent"] == 150
    assert service["deploymentConfiguration"]["deploymentCircuitBreaker"]["rollback"] is False
    assert service["enableExecuteCommand"] is True
