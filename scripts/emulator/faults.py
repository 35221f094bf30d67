"""Fault injection in front of the emulator: throttling, 5xx answers and latency, seeded and counted.

Real applies meet throttled calls, transient server errors and slow answers; moto never produces
them, so nothing showed that an apply survives them. ``FaultApp`` is a WSGI middleware in front of
moto's dispatcher (outside the request recorder): for each SigV4-signed request it resolves the
botocore service and operation (the routing ``scripts.emulator.recorder`` uses), and for the first
``FaultRule`` that matches it may

- answer with the service's own throttling error, in the service's protocol, without passing the
  request on (a throttled call has no side effect in AWS either);
- answer 500 or 503 the same way (a transient server error that did nothing);
- sleep before passing the request on.

Decisions are drawn from one ``random.Random`` per (service, operation), seeded from the plan's seed
and the operation's name: the n-th call of an operation gets the same fate in every run with the
same seed, whatever the interleaving of Terraform's parallel calls. A failing run repeats with its
seed (printed in every report).

Never faulted: STS (credential validation and role assumption are not what a throttled apply is
about, and a throttled ``AssumeRoleWithWebIdentity`` would test the pipeline's credentials step, not
Terraform), unsigned requests (moto's own API) and callers whose User-Agent does not match
``FaultPlan.clients``: by default only Terraform (the provider and the S3 backend), so the tests'
boto3 read-backs and the IAM proof's own calls never see a fault.

Retries are measured, not assumed: the AWS SDK for Go v2 sends every attempt of one operation with
the same ``amz-sdk-invocation-id`` header and ``amz-sdk-request: attempt=N; max=M``; an invocation
that was faulted and comes back is counted as retried.
https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
"""

from __future__ import annotations

import fnmatch
import io
import json
import random
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

EXEMPT_SERVICES = frozenset({"sts"})
DEFAULT_CLIENTS = ("Terraform",)
_MAX = re.compile(r"max=(\d+)")


@dataclass(frozen=True)
class ErrorShape:
    code: str
    status: int
    message: str


# The throttling error each protocol family answers with, as the services document it.
# Query-protocol services (IAM, ELBv2, RDS, SNS, CloudWatch) answer `Throttling` 400 and JSON-protocol
# services (ECS, KMS, Logs, SSM, SQS, ECR, ...) `ThrottlingException` 400: both are in the SDKs'
# standard list of throttling codes (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
# EC2 answers RequestLimitExceeded (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html),
# HTTP 503 as its error code list gives it (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
# S3 answers 503 SlowDown (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList).
THROTTLE_BY_SERVICE: dict[str, ErrorShape] = {
    "ec2": ErrorShape("RequestLimitExceeded", 503, "Request limit exceeded."),
    "s3": ErrorShape("SlowDown", 503, "Please reduce your request rate."),
}
THROTTLE_BY_PROTOCOL: dict[str, ErrorShape] = {
    "query": ErrorShape("Throttling", 400, "Rate exceeded"),
    "json": ErrorShape("ThrottlingException", 400, "Rate exceeded"),
    "rest-json": ErrorShape("ThrottlingException", 429, "Rate exceeded"),
    "smithy-rpc-v2-cbor": ErrorShape("ThrottlingException", 400, "Rate exceeded"),
    "rest-xml": ErrorShape("Throttling", 400, "Rate exceeded"),
    "ec2": THROTTLE_BY_SERVICE["ec2"],
}
# Transient server errors: S3 and EC2 name theirs InternalError / ServiceUnavailable (S3) and
# InternalError / Unavailable (EC2); the others InternalFailure / ServiceUnavailable
# (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html,
# https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList).
SERVER_ERRORS: dict[str, dict[int, ErrorShape]] = {
    "s3": {
        500: ErrorShape("InternalError", 500, "We encountered an internal error. Please try again."),
        503: ErrorShape("ServiceUnavailable", 503, "Service is unable to handle request."),
    },
    "ec2": {
        500: ErrorShape("InternalError", 500, "An internal error has occurred."),
        503: ErrorShape("Unavailable", 503, "The server is overloaded and can't handle the request."),
    },
    "*": {
        500: ErrorShape("InternalFailure", 500, "The request processing has failed because of an unknown error."),
        503: ErrorShape("ServiceUnavailable", 503, "The request has failed due to a temporary failure of the server."),
    },
}


@dataclass(frozen=True)
class FaultRule:
    """What happens to the calls of ``service``/``operation`` (fnmatch patterns on botocore names).

    ``throttle`` and ``error`` are shares of the matching calls (0..1, together at most 1);
    ``latency`` is seconds added to each call that is passed on.
    """

    service: str = "*"
    operation: str = "*"
    throttle: float = 0.0
    error: float = 0.0
    latency: float = 0.0

    def __post_init__(self) -> None:
        for name in ("throttle", "error"):
            share = getattr(self, name)
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"{name} share must be within 0..1, got {share}")
        if self.throttle + self.error > 1.0:
            raise ValueError(f"throttle + error shares exceed 1: {self.throttle} + {self.error}")
        if self.latency < 0:
            raise ValueError(f"latency must not be negative, got {self.latency}")

    def matches(self, service: str, operation: str) -> bool:
        return fnmatch.fnmatchcase(service, self.service) and fnmatch.fnmatchcase(operation, self.operation)


@dataclass
class FaultPlan:
    """Rules (first match wins), a seed, and the counters of what was injected."""

    rules: list[FaultRule] = field(default_factory=list)
    seed: int = 0
    clients: tuple[str, ...] = DEFAULT_CLIENTS
    calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    injected: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (service, op, kind)
    retried: Counter[tuple[str, str]] = field(default_factory=Counter)  # faulted invocations that came back
    max_attempts_seen: int = 0
    _streams: dict[tuple[str, str], random.Random] = field(default_factory=dict, repr=False)
    _faulted: set[str] = field(default_factory=set, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def rule_for(self, service: str, operation: str) -> FaultRule | None:
        if service in EXEMPT_SERVICES:
            return None
        return next((r for r in self.rules if r.matches(service, operation)), None)

    def decide(self, service: str, operation: str, invocation: str, attempt_header: str) -> tuple[str, float]:
        """('throttle' | 'error' | 'pass', latency) for one call; counts it."""
        rule = self.rule_for(service, operation)
        key = (service, operation)
        with self._lock:
            self.calls[key] += 1
            if invocation and invocation in self._faulted:
                self._faulted.discard(invocation)
                self.retried[key] += 1
            found = _MAX.search(attempt_header)
            if found:
                self.max_attempts_seen = max(self.max_attempts_seen, int(found.group(1)))
            if rule is None:
                return "pass", 0.0
            stream = self._streams.get(key)
            if stream is None:
                stream = self._streams[key] = random.Random(f"{self.seed}/{service}/{operation}")  # noqa: S311 - repeatable faults, not secrets
            draw = stream.random()
            kind = "throttle" if draw < rule.throttle else "error" if draw < rule.throttle + rule.error else "pass"
            if kind != "pass":
                self.injected[(service, operation, kind)] += 1
                if invocation:
                    self._faulted.add(invocation)
            return kind, rule.latency if kind == "pass" else 0.0

    # --- reporting ------------------------------------------------------------------------------
    def total(self, kind: str | None = None) -> int:
        return sum(n for (_s, _o, k), n in self.injected.items() if kind is None or k == kind)

    def summary(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "calls": sum(self.calls.values()),
            "throttled": self.total("throttle"),
            "server_errors": self.total("error"),
            "retried": sum(self.retried.values()),
            "max_attempts_seen": self.max_attempts_seen,
        }

    def report_lines(self) -> list[str]:
        lines = [
            "fault injection (seed {seed}): {calls} calls, {throttled} throttled, {server_errors} 5xx, "
            "{retried} faulted calls retried, SDK max attempts {max_attempts_seen}".format(**self.summary())
        ]
        per_op: dict[tuple[str, str], Counter[str]] = {}
        for (svc, op, kind), n in self.injected.items():
            per_op.setdefault((svc, op), Counter())[kind] += n
        for (svc, op), kinds in sorted(per_op.items()):
            lines.append(
                f"  {svc}:{op}: {kinds['throttle']} throttled, {kinds['error']} 5xx, "
                f"{self.retried[(svc, op)]} retried, {self.calls[(svc, op)]} calls"
            )
        return lines


def operation_of(environ: dict[str, Any]) -> tuple[str, str] | None:
    """(botocore service, operation) of a signed request, else None (unsigned, or unroutable)."""
    from moto.core.request import Request
    from moto.core.routing import get_service_router

    from scripts.emulator.recorder import _CREDENTIAL, _service_for

    match = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    if not match:
        return None
    request = Request(environ)
    service = _service_for(match["service"], request)
    if service is None:
        return match["service"], "?"
    try:
        operation_model, _ = get_service_router(service).match(request)
    except Exception:
        return service, "?"
    return service, operation_model.name


def protocol_of(environ: dict[str, Any], service: str) -> str:
    """The protocol the caller speaks, from the request itself (SDKs move services between protocols)."""
    if "rpc-v2-cbor" in environ.get("HTTP_SMITHY_PROTOCOL", ""):
        return "smithy-rpc-v2-cbor"
    if environ.get("HTTP_X_AMZ_TARGET"):
        return "json"
    if service == "ec2":
        return "ec2"
    if (
        environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded")
        and environ.get("REQUEST_METHOD") == "POST"
        and (environ.get("PATH_INFO") or "/") == "/"
    ):
        return "query"
    from moto.core.utils import get_service_model

    try:
        protocol = get_service_model(service).metadata.get("protocol", "rest-json")
    except Exception:
        return "rest-json"
    return protocol if protocol in THROTTLE_BY_PROTOCOL else "rest-json"


def error_shape(service: str, protocol: str, kind: str, rng_status: int) -> ErrorShape:
    if kind == "throttle":
        return THROTTLE_BY_SERVICE.get(service) or THROTTLE_BY_PROTOCOL[protocol]
    return SERVER_ERRORS.get(service, SERVER_ERRORS["*"])[rng_status]


def _cbor_text(value: str) -> bytes:
    data = value.encode()
    n = len(data)
    head = bytes([0x60 | n]) if n < 24 else bytes([0x78, n]) if n < 256 else bytes([0x79]) + n.to_bytes(2, "big")
    return head + data


def render_error(shape: ErrorShape, protocol: str, request_id: str) -> tuple[list[tuple[str, str]], bytes]:
    """Headers and body of an error answer in the caller's protocol."""
    headers = [("x-amzn-RequestId", request_id), ("x-amz-request-id", request_id)]
    if shape.status in (429, 503):
        headers.append(("Retry-After", "1"))
    if protocol == "json":
        body = json.dumps({"__type": shape.code, "message": shape.message}).encode()
        return [*headers, ("Content-Type", "application/x-amz-json-1.1"), ("X-Amzn-ErrorType", shape.code)], body
    if protocol == "rest-json":
        body = json.dumps({"message": shape.message}).encode()
        return [*headers, ("Content-Type", "application/json"), ("X-Amzn-ErrorType", shape.code)], body
    if protocol == "smithy-rpc-v2-cbor":
        body = (
            b"\xa2" + _cbor_text("__type") + _cbor_text(shape.code) + _cbor_text("message") + _cbor_text(shape.message)
        )
        return [*headers, ("Content-Type", "application/cbor"), ("Smithy-Protocol", "rpc-v2-cbor")], body
    if protocol == "ec2":
        xml = (
            f"<Response><Errors><Error><Code>{shape.code}</Code><Message>{shape.message}</Message></Error>"
            f"</Errors><RequestID>{request_id}</RequestID></Response>"
        )
    elif protocol == "rest-xml":
        xml = (
            f"<Error><Code>{shape.code}</Code><Message>{shape.message}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        )
    else:
        side = "Receiver" if shape.status >= 500 else "Sender"
        xml = (
            f"<ErrorResponse><Error><Type>{side}</Type><Code>{shape.code}</Code><Message>{shape.message}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
    return [*headers, ("Content-Type", "text/xml")], b'<?xml version="1.0" encoding="UTF-8"?>\n' + xml.encode()


_REASONS = {400: "Bad Request", 429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


class FaultApp:
    """WSGI middleware: fault, delay or pass on each signed request as ``plan`` decides."""

    def __init__(self, app: Callable[..., Any], plan: FaultPlan) -> None:
        self.app = app
        self.plan = plan

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        agent = environ.get("HTTP_USER_AGENT", "")
        if not self.plan.rules or not any(c in agent for c in self.plan.clients):
            return self.app(environ, start_response)
        # Routing reads the body (query parameters are form fields): buffer it for moto as well.
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            found = operation_of(dict(environ, **{"wsgi.input": io.BytesIO(body)}))
        except Exception:
            found = None
        if found is None:
            return self.app(environ, start_response)
        service, operation = found
        kind, latency = self.plan.decide(
            service,
            operation,
            environ.get("HTTP_AMZ_SDK_INVOCATION_ID", ""),
            environ.get("HTTP_AMZ_SDK_REQUEST", ""),
        )
        if kind == "pass":
            if latency:
                time.sleep(latency)
            return self.app(environ, start_response)
        with self.plan._lock:
            status = 503 if self.plan._streams[(service, operation)].random() < 0.5 else 500
        shape = error_shape(service, protocol_of(environ, service), kind, status)
        headers, payload = render_error(shape, protocol_of(environ, service), str(uuid.uuid4()))
        if environ.get("REQUEST_METHOD") == "HEAD":
            payload = b""
        start_response(
            f"{shape.status} {_REASONS.get(shape.status, 'Error')}", [*headers, ("Content-Length", str(len(payload)))]
        )
        return [payload]
