"""Operations the AWS provider needs that moto does not implement yet.

Each one behaves like AWS for what the project uses: data is stored and returned, never dropped.
Without them the provider retries HTTP 500 for more than ten minutes before it gives up.

- application-autoscaling ListTagsForResource / TagResource / UntagResource, and Tags on
  RegisterScalableTarget (every ``aws_appautoscaling_target`` reads its tags back).
- RegisterScalableTarget brings an ECS service's desired count into the new min-max range, as
  Application Auto Scaling does ("anytime ... the RegisterScalableTarget API is called, Application
  Auto Scaling retrieves the current capacity ... if it falls outside of the minimum-maximum range,
  then the capacity is updated":
  https://docs.aws.amazon.com/autoscaling/application/userguide/getting-started.html). A service
  created parked (0-0) starts its tasks when the next deploy raises the minimum.
- CloudWatch PutCompositeAlarm (``aws_cloudwatch_composite_alarm``); moto already stores alarms with
  an ``AlarmRule`` and returns them under ``CompositeAlarms`` in DescribeAlarms.

A further gap goes into a module ``ext_<area>.py`` beside this file with an ``install()`` function
(found and installed by ``install()`` here) and a test in tests/unit/test_emulator_extensions.py.

``install()`` is idempotent and must run in the process that serves moto (the embedded server is a
thread of that process).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

_INSTALLED = False


def _autoscaling_tagger(backend: Any) -> Any:
    from moto.utilities.tagging_service import TaggingService

    tagger = getattr(backend, "_platform_tagger", None)
    if tagger is None:
        tagger = TaggingService()
        backend._platform_tagger = tagger
    return tagger


def _known_autoscaling_arn(backend: Any, arn: str) -> bool:
    return any(t.arn == arn for targets in backend.targets.values() for t in targets.values())


def _clamp_ecs_desired_count(response: Any) -> None:
    if response._get_param("ScalableDimension") != "ecs:service:DesiredCount":
        return
    from moto.ecs.models import ecs_backends

    _, cluster, name = response._get_param("ResourceId").split("/", 2)
    backend = response.applicationautoscaling_backend
    target = next(
        (
            t
            for targets in backend.targets.values()
            for t in targets.values()
            if t.resource_id == response._get_param("ResourceId") and t.scalable_dimension == "ecs:service:DesiredCount"
        ),
        None,
    )
    service = ecs_backends[response.current_account][response.region].services.get(f"{cluster}:{name}")
    if target is None or service is None:
        return
    service.desired_count = min(max(service.desired_count, int(target.min_capacity)), int(target.max_capacity))


def _install_autoscaling_tags() -> None:
    from moto.applicationautoscaling import responses
    from moto.applicationautoscaling.exceptions import AWSValidationException

    cls = responses.ApplicationAutoScalingResponse
    original_register = cls.register_scalable_target
    original_deregister = cls.deregister_scalable_target

    def _not_found(arn: str) -> Exception:
        # AWS answers ResourceNotFoundException; moto's validation error is the closest typed error.
        return AWSValidationException(f"Scalable target with ARN {arn} not found")

    def register_scalable_target(self: Any) -> str:
        body = original_register(self)
        _clamp_ecs_desired_count(self)
        tags = self._get_param("Tags") or {}
        if tags:
            arn = json.loads(body)["ScalableTargetARN"]
            tagger = _autoscaling_tagger(self.applicationautoscaling_backend)
            tagger.tag_resource(arn, [{"Key": k, "Value": v} for k, v in tags.items()])
        return body

    def deregister_scalable_target(self: Any) -> str:
        backend = self.applicationautoscaling_backend
        resource_id = self._get_param("ResourceId")
        dimension = self._get_param("ScalableDimension")
        doomed = [
            t.arn
            for targets in backend.targets.values()
            for t in targets.values()
            if t.resource_id == resource_id and t.scalable_dimension == dimension
        ]
        body = original_deregister(self)
        for arn in doomed:
            _autoscaling_tagger(backend).delete_all_tags_for_resource(arn)
        return body

    def list_tags_for_resource(self: Any) -> str:
        arn = self._get_param("ResourceARN")
        backend = self.applicationautoscaling_backend
        if not _known_autoscaling_arn(backend, arn):
            raise _not_found(arn)
        tags = _autoscaling_tagger(backend).get_tag_dict_for_resource(arn)
        return json.dumps({"Tags": tags})

    def tag_resource(self: Any) -> str:
        arn = self._get_param("ResourceARN")
        backend = self.applicationautoscaling_backend
        if not _known_autoscaling_arn(backend, arn):
            raise _not_found(arn)
        tags = self._get_param("Tags") or {}
        _autoscaling_tagger(backend).tag_resource(arn, [{"Key": k, "Value": v} for k, v in tags.items()])
        return json.dumps({})

    def untag_resource(self: Any) -> str:
        arn = self._get_param("ResourceARN")
        backend = self.applicationautoscaling_backend
        if not _known_autoscaling_arn(backend, arn):
            raise _not_found(arn)
        _autoscaling_tagger(backend).untag_resource_using_names(arn, self._get_param("TagKeys") or [])
        return json.dumps({})

    cls.register_scalable_target = register_scalable_target
    cls.deregister_scalable_target = deregister_scalable_target
    cls.list_tags_for_resource = list_tags_for_resource
    cls.tag_resource = tag_resource
    cls.untag_resource = untag_resource


def _install_composite_alarm() -> None:
    from moto.cloudwatch import responses
    from moto.core.responses import EmptyResult

    cls = responses.CloudWatchResponse

    def put_composite_alarm(self: Any) -> Any:
        rule = self._get_param("AlarmRule")
        if not rule:
            from moto.cloudwatch.exceptions import ValidationError

            raise ValidationError("AlarmRule is required for a composite alarm")
        enabled = self._get_param("ActionsEnabled")
        self.cloudwatch_backend.put_metric_alarm(
            name=self._get_param("AlarmName"),
            namespace=None,
            metric_name=None,
            metric_data_queries=None,
            comparison_operator=None,
            evaluation_periods=None,
            datapoints_to_alarm=None,
            period=None,
            threshold=None,
            statistic=None,
            extended_statistic=None,
            description=self._get_param("AlarmDescription"),
            dimensions=[],
            alarm_actions=self._get_param("AlarmActions", []),
            ok_actions=self._get_param("OKActions", []),
            insufficient_data_actions=self._get_param("InsufficientDataActions", []),
            unit=None,
            actions_enabled=True if enabled is None else enabled in (True, "true"),
            treat_missing_data=None,
            evaluate_low_sample_count_percentile=None,
            threshold_metric_id=None,
            rule=rule,
            tags=self._get_param("Tags", []),
        )
        return EmptyResult()

    cls.put_composite_alarm = put_composite_alarm


def install() -> None:
    """Install every extension: the ones above and each ``ext_*.py`` module beside this file."""
    global _INSTALLED
    if _INSTALLED:
        return
    _install_autoscaling_tags()
    _install_composite_alarm()
    for path in sorted(Path(__file__).parent.glob("ext_*.py")):
        importlib.import_module(f"scripts.emulator.{path.stem}").install()
    _INSTALLED = True
