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

moto returns ``RedrivePolicy`` re-serialised by Python's ``json.dumps``, with a space after every ``:``
and ``,``. AWS returns the policy as compact JSON, ``{"deadLetterTargetArn":"arn:...","maxReceiveCount":3}``
(the attribute is "the parameters for the dead-letter queue functionality of the source queue as a
JSON object":
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html; the
compact form AWS returns is quoted in localstack/localstack#3427 and
hashicorp/terraform-provider-aws#16964, the same false diff against another emulator). The provider
5.100.0 compares the string as read with the configuration's ``jsonencode``, so with moto's spacing
every plan updated the queue and every deploy waited out the queue's fixed 25 s attribute wait
(docs/emulator-waits.md). This extension returns the compact form.
"""

from __future__ import annotations

import json

ATTRIBUTE = "RedriveAllowPolicy"


def _install_compact_redrive_policy() -> None:
    from moto.sqs.models import Queue

    getter = Queue.attributes.fget
    if getattr(getter, "_compact_redrive_policy", False):
        return

    def attributes(self: Queue) -> dict:  # type: ignore[type-arg]
        result = getter(self)
        if self.redrive_policy and "RedrivePolicy" in result:
            result["RedrivePolicy"] = json.dumps(self.redrive_policy, separators=(",", ":"))
        return result

    attributes._compact_redrive_policy = True  # type: ignore[attr-defined]
    Queue.attributes = property(attributes)


def install() -> None:
    _install_compact_redrive_policy()
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
