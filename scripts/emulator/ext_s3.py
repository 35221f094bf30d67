"""S3 answers of moto 5.2.5 that differ from AWS where the platform's deploys depend on them.

GetBucketNotificationConfiguration leaves out EventBridge
--------------------------------------------------------
moto stores ``EventBridgeConfiguration`` from PutBucketNotificationConfiguration (and sends S3 events
to EventBridge with it) but its GetBucketNotificationConfiguration answers only the topic, queue and
Lambda configurations. AWS returns the element when the bucket sends its events to EventBridge:
"EventBridgeConfiguration: Enables delivery of events to Amazon EventBridge"
(https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketNotificationConfiguration.html,
https://docs.aws.amazon.com/AmazonS3/latest/API/API_EventBridgeConfiguration.html). The provider then
reads ``eventbridge = false`` back after every apply of ``aws_s3_bucket_notification`` with
``eventbridge = true``, and every later plan updates the notification again. This extension adds the
element to the answer when the bucket has it.
"""

from __future__ import annotations

from typing import Any


def _install_eventbridge_in_notification_answer() -> None:
    from moto.s3 import responses

    cls = responses.S3Response
    original = cls.get_bucket_notification
    if getattr(original, "_answers_eventbridge", False):
        return

    def get_bucket_notification(self: Any) -> Any:
        configuration = self.backend.get_bucket_notification_configuration(self.bucket_name)
        if configuration is None or configuration.event_bridge is None:
            return original(self)
        # moto builds the answer from a dict it does not expose: extend what it serialises.
        serialized = self.serialized

        def with_eventbridge(result: Any) -> Any:
            body = getattr(result, "result", None)
            if isinstance(body, dict):
                body["EventBridgeConfiguration"] = {}
            return serialized(result)

        self.serialized = with_eventbridge
        try:
            return original(self)
        finally:
            del self.serialized

    get_bucket_notification._answers_eventbridge = True  # type: ignore[attr-defined]
    cls.get_bucket_notification = get_bucket_notification


def install() -> None:
    _install_eventbridge_in_notification_answer()
