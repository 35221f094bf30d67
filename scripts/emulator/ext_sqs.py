"""SQS ``RedriveAllowPolicy``, which moto 5.2.5 accepts but never returns, and ``Policy``, which it drops.

A dead-letter queue's redrive allow policy says which source queues may use it. moto stores the
attribute on the queue but leaves it out of GetQueueAttributes, so the provider, which waits until
the queue reports every attribute it set, times out after three minutes on any queue that carries
one. This extension lists the attribute among the queue's attributes, so it is returned like AWS
returns it (only when set).

SetQueueAttributes changes only the attributes it names (AWS:
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html),
but moto sets the queue policy to whatever the call carries, so any later SetQueueAttributes without
``Policy`` (the provider's update of another attribute) silently removes it.
"""

from __future__ import annotations

ATTRIBUTE = "RedriveAllowPolicy"


def install() -> None:
    from moto.sqs.models import Queue

    if ATTRIBUTE not in Queue.BASE_ATTRIBUTES:
        Queue.BASE_ATTRIBUTES = [*Queue.BASE_ATTRIBUTES, ATTRIBUTE]
    if not hasattr(Queue, "redrive_allow_policy"):
        # Class-level default: queues created without the attribute report nothing for it.
        Queue.redrive_allow_policy = None
    if not getattr(Queue._set_attributes, "_keeps_policy", False):
        original = Queue._set_attributes

        def _set_attributes(self: Queue, attributes: dict, now: object = None) -> None:  # type: ignore[type-arg]
            kept = getattr(self, "policy", None)
            if now is None:
                original(self, attributes)
            else:
                original(self, attributes, now)
            if "Policy" not in attributes and kept:
                self.policy = kept

        _set_attributes._keeps_policy = True  # type: ignore[attr-defined]
        Queue._set_attributes = _set_attributes
