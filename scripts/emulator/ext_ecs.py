"""ECS CreateService settings that moto 5.2.5 accepts but drops.

moto's CreateService ignores ``capacityProviderStrategy`` (and reports ``launchType`` EC2 instead),
``deploymentConfiguration`` (circuit breaker, minimum healthy / maximum percent),
``enableECSManagedTags``, ``enableExecuteCommand``, ``healthCheckGracePeriodSeconds`` and
``availabilityZoneRebalancing``. DescribeServices then answers without them, so the provider plans to
replace every service that uses a capacity provider strategy, and nobody can read back a circuit
breaker. This extension stores them on the service the way moto's own UpdateService already does
(snake_case attributes, which the response serializer picks up), and answers like AWS: with the
AWS defaults when a setting was not given, and without ``launchType`` when a capacity provider
strategy places the tasks. Strategy items are described with ``weight`` and ``base`` (0 when not
sent), as AWS does; the provider leaves out zero values when it creates a service.
"""

from __future__ import annotations

from typing import Any

# Request parameter -> (attribute on moto's Service, the value AWS reports when it was not given).
_DEFAULT_DEPLOYMENT_CONFIGURATION = {
    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
}
_SETTINGS: dict[str, tuple[str, Any]] = {
    "capacityProviderStrategy": ("capacity_provider_strategy", None),
    "deploymentConfiguration": ("deployment_configuration", _DEFAULT_DEPLOYMENT_CONFIGURATION),
    "enableECSManagedTags": ("enable_ecs_managed_tags", False),
    "enableExecuteCommand": ("enable_execute_command", False),
    "healthCheckGracePeriodSeconds": ("health_check_grace_period_seconds", None),
    "availabilityZoneRebalancing": ("availability_zone_rebalancing", None),
}


def _deployment_configuration(given: dict[str, Any] | None) -> dict[str, Any]:
    merged = {**_DEFAULT_DEPLOYMENT_CONFIGURATION, **(given or {})}
    breaker = {
        **_DEFAULT_DEPLOYMENT_CONFIGURATION["deploymentCircuitBreaker"],
        **merged["deploymentCircuitBreaker"],
    }
    return {**merged, "deploymentCircuitBreaker": breaker}


def _capacity_provider_strategy(given: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """AWS describes every strategy item with weight and base, 0 when they were not sent."""
    if not given:
        return None
    return [
        {"capacityProvider": i["capacityProvider"], "weight": i.get("weight", 0), "base": i.get("base", 0)}
        for i in given
    ]


def _install_create_service_settings() -> None:
    from moto.ecs import responses

    cls = responses.EC2ContainerServiceResponse
    original_create = cls.create_service

    def create_service(self: Any) -> Any:
        strategy = _capacity_provider_strategy(self._get_param("capacityProviderStrategy"))
        result = original_create(self)
        cluster = self._get_param("cluster", "default")
        service = self.ecs_backend._get_service(cluster, self._get_param("serviceName"))
        for param, (attribute, default) in _SETTINGS.items():
            value = self._get_param(param)
            if param == "deploymentConfiguration":
                value = _deployment_configuration(value)
            elif param == "capacityProviderStrategy":
                value = strategy
            setattr(service, attribute, default if value is None else value)
        if strategy:
            # AWS reports either a launch type or a capacity provider strategy, never both.
            service.launch_type = None
            for deployment in service.deployments:
                deployment["launchType"] = None
                deployment["capacityProviderStrategy"] = strategy
        return result

    cls.create_service = create_service


def install() -> None:
    _install_create_service_settings()
