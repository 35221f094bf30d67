"""Record every signed request the emulator serves: who called, which operation, with which parameters.

moto authorizes every call, so nothing here has ever shown that a role could make the calls a
Terraform run makes. The recorder is a WSGI middleware in front of moto's dispatcher: for each
SigV4-signed request it resolves the botocore service and operation (the same routing moto uses),
parses the parameters with moto's protocol parsers, and hands the result to a callback *before* moto
serves it, so that the callback sees the resource as it is when AWS would authorize the call (its
current tags, for ``aws:ResourceTag``). ``scripts.iam`` turns these records into IAM checks.

The callback and moto's answer run under ``extensions.DISPATCH_LOCK`` together: the callback reads
moto's backends, which no other request changes meanwhile, and the state it sees is the state the
call is served against.

Unsigned requests (``AssumeRoleWithWebIdentity``) are not recorded: AWS authorizes them by the
role's trust policy, which ``ext_sts`` evaluates.
"""

from __future__ import annotations

import functools
import io
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scripts.emulator.extensions import DISPATCH_LOCK

_CREDENTIAL = re.compile(r"Credential=(?P<key>[^/]+)/\d{8}/(?P<region>[a-z0-9-]+)/(?P<service>[a-z0-9-]+)/")


@dataclass
class Call:
    """One request as AWS would authorize it."""

    seq: int
    access_key: str
    region: str
    signing_name: str
    service: str  # botocore service name (elbv2, s3, ...)
    operation: str  # API operation (CreateLoadBalancer, GetBucketLifecycleConfiguration, ...)
    params: dict[str, Any]
    status: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


# Loading every service description takes seconds of CPU; functools.cache does not stop ten
# concurrent first calls (Terraform's parallelism) from each doing it, so the first one loads while
# the others wait.
_SERVICES_LOCK = threading.Lock()


def _services_by_signing_name() -> dict[str, list[str]]:
    with _SERVICES_LOCK:
        return _load_services_by_signing_name()


@functools.cache
def _load_services_by_signing_name() -> dict[str, list[str]]:
    import botocore.session

    session = botocore.session.get_session()
    loader = session.get_component("data_loader")
    found: dict[str, list[str]] = {}
    for name in session.get_available_services():
        meta = loader.load_service_model(name, "service-2")["metadata"]
        signing = meta.get("signingName") or meta["endpointPrefix"]
        found.setdefault(signing, []).append(name)
    return found


def _service_for(signing_name: str, request: Any) -> str | None:
    """The botocore service a request signed for ``signing_name`` speaks to."""
    from moto.core.utils import get_service_model

    # docdb and neptune sign as "rds" with RDS's API version: the service named like the signature wins.
    candidates = sorted(_services_by_signing_name().get(signing_name, []), key=lambda n: n != signing_name)
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    version = request.values.get("Version")
    target = request.headers.get("X-Amz-Target", "")
    for name in candidates:
        meta = get_service_model(name).metadata
        if version and meta.get("apiVersion") == version:
            return name
        if target and meta.get("targetPrefix") and target.startswith(meta["targetPrefix"] + "."):
            return name
    # REST services sharing a signing name: the first whose router matches the path.
    from moto.core.routing import NotFound, get_service_router

    for name in candidates:
        try:
            get_service_router(name).match(request)
            return name
        except (NotFound, NotImplementedError, KeyError):
            continue
    return None


def identify(environ: dict[str, Any]) -> tuple[str, str, str, str, str, dict[str, Any]] | None:
    """(access key, region, signing name, service, operation, params) of a signed request, else None."""
    from moto.core.parse import PROTOCOL_PARSERS
    from moto.core.request import Request, determine_request_protocol
    from moto.core.routing import get_service_router
    from moto.core.utils import get_service_model

    match = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    if not match:
        return None
    request = Request(environ)
    signing = match["service"]
    service = _service_for(signing, request)
    if service is None:
        return match["key"], match["region"], signing, signing, "?", {}
    model = get_service_model(service)
    operation_model, uri_params = get_service_router(service).match(request)
    protocol = determine_request_protocol(model, request.content_type)
    parser = PROTOCOL_PARSERS[protocol](operation_model, map_type=dict)
    params = parser.parse(
        {
            "method": request.method,
            "values": request.values,
            "headers": request.headers,
            "body": request.get_data(),
            "url_path": request.path,
            "url_params": uri_params,
        }
    )
    return match["key"], match["region"], signing, service, operation_model.name, _plain(params)


def _plain(value: Any) -> Any:
    """Parser output as JSON-safe data (datetimes and bytes become strings)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


class CallBus:
    """Fan-out of recorded calls to whoever listens now; with no listener, nothing is parsed."""

    def __init__(self) -> None:
        self._sinks: list[Callable[[Call], None]] = []

    @property
    def active(self) -> bool:
        return bool(self._sinks)

    def subscribe(self, sink: Callable[[Call], None]) -> None:
        self._sinks.append(sink)

    def unsubscribe(self, sink: Callable[[Call], None]) -> None:
        if sink in self._sinks:
            self._sinks.remove(sink)

    def __call__(self, call: Call) -> None:
        for sink in list(self._sinks):
            sink(call)


class RecordingApp:
    """WSGI middleware: ``on_call(call)`` before moto serves a signed request, status after."""

    def __init__(self, app: Callable[..., Any], on_call: Callable[[Call], None]) -> None:
        self.app = app
        self.on_call = on_call
        self._seq = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if isinstance(self.on_call, CallBus) and not self.on_call.active:
            return self.app(environ, start_response)
        # moto and the parser both read the body: buffer it once and hand each a fresh stream.
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        call = None
        error = ""
        try:
            found = identify(dict(environ, **{"wsgi.input": io.BytesIO(body)}))
        except Exception as exc:
            match = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
            found = (match["key"], match["region"], match["service"], match["service"], "?", {}) if match else None
            error = f"{type(exc).__name__}: {exc}"

        def _start(status: str, headers: Any, exc_info: Any = None) -> Any:
            if call is not None:
                call.status = int(status.split()[0])
            return start_response(status, headers, exc_info)

        with DISPATCH_LOCK:
            if found:
                # Numbered under the lock: ``seq`` is the order in which moto served the calls.
                self._seq += 1
                call = Call(self._seq, *found)
                if error:
                    call.extra["identify_error"] = error
                self.on_call(call)
            return self.app(environ, _start)
