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

Concurrency: the embedded server answers every request in a thread of its own, and moto's backends
are plain dicts with no locking (Terraform sends up to ten calls at once, and a DescribeAlarms that
iterates the alarms while a PutMetricAlarm inserts one answered 500 ``dictionary changed size during
iteration``). ``install()`` therefore serializes moto's dispatch behind ``DISPATCH_LOCK``: one request
at a time reads or changes moto's state, for every server in the process (they share the backends).
The request recorder's callback, which reads the backends, runs under the same lock; the fault
injector's latency and its throttled or failed answers do not take it. An SQS long poll releases the
lock while it waits, so that the SendMessage it waits for can be served. Accepting connections and
writing answers stay concurrent (werkzeug sends the finished answer after the lock is released).
"""

from __future__ import annotations

import importlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_INSTALLED = False


class DispatchLock:
    """A process-wide lock that one thread may take again (middleware, then moto's dispatcher), and
    that a thread can let go of entirely while it blocks inside moto (``released``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()

    def _depth(self) -> int:
        return getattr(self._local, "depth", 0)

    def __enter__(self) -> DispatchLock:
        depth = self._depth()
        if depth == 0:
            self._lock.acquire()
        self._local.depth = depth + 1
        return self

    def __exit__(self, *exc: object) -> None:
        self._local.depth = self._depth() - 1
        if self._local.depth == 0:
            self._lock.release()

    @contextmanager
    def released(self) -> Iterator[None]:
        """Let other requests in while this thread waits; a no-op where the lock is not held."""
        depth = self._depth()
        if depth:
            self._local.depth = 0
            self._lock.release()
        try:
            yield
        finally:
            if depth:
                self._lock.acquire()
                self._local.depth = depth


DISPATCH_LOCK = DispatchLock()


def _install_dispatch_lock() -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication
    from moto.sqs.models import Queue

    dispatch = DomainDispatcherApplication.__call__
    if not getattr(dispatch, "_platform_locked", False):

        def locked_dispatch(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
            # moto builds the whole answer inside this call (Flask views return finished bodies).
            with DISPATCH_LOCK:
                return dispatch(self, environ, start_response)

        locked_dispatch._platform_locked = True  # type: ignore[attr-defined]
        DomainDispatcherApplication.__call__ = locked_dispatch

    wait = Queue.wait_for_messages
    if not getattr(wait, "_platform_locked", False):
        # ReceiveMessage with WaitTimeSeconds waits here for a SendMessage from another request.
        def wait_for_messages(self: Queue, timeout: int) -> None:
            with DISPATCH_LOCK.released():
                wait(self, timeout)

        wait_for_messages._platform_locked = True  # type: ignore[attr-defined]
        Queue.wait_for_messages = wait_for_messages


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
    _install_dispatch_lock()
    _install_autoscaling_tags()
    _install_composite_alarm()
    for path in sorted(Path(__file__).parent.glob("ext_*.py")):
        importlib.import_module(f"scripts.emulator.{path.stem}").install()
    _INSTALLED = True
