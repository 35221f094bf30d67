"""SQS ``RedriveAllowPolicy``, which moto 5.2.5 accepts but never returns.

A dead-letter queue's redrive allow policy says which source queues may use it. moto stores the
attribute on the queue but leaves it out of GetQueueAttributes, so the provider, which waits until
the queue reports every attribute it set, times out after three minutes on any queue that carries
one. This extension lists the attribute among the queue's attributes, so it is returned like AWS
returns it (only when set).
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
