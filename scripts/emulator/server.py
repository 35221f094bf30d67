"""The embedded AWS emulator: moto's server on 127.0.0.1, or an external endpoint such as LocalStack.

``Emulator.start()`` either starts moto in this process (a free loopback port, the project's
extensions installed) or, when ``PLATFORM_AWS_ENDPOINT_URL`` is set, checks that the given endpoint
answers and uses it as it is. Everything downstream (the provider override, boto3 clients) only sees
``endpoint_url``, so both paths go through the same switch.
"""

from __future__ import annotations

import logging
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from scripts.errors import PlatformError

ENDPOINT_ENV = "PLATFORM_AWS_ENDPOINT_URL"
DEFAULT_REGION = "eu-west-1"
# moto accepts any credentials; these only keep SDKs from looking for real ones.
FAKE_ACCESS_KEY = "testing"
FAKE_SECRET_KEY = "testing"  # noqa: S105 - not a secret, the emulator's placeholder
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


class EmulatorError(PlatformError, RuntimeError):
    """The emulator could not be started or reached; the message is one line."""


@dataclass
class Emulator:
    endpoint_url: str | None = None
    region: str = DEFAULT_REGION
    external: bool = False
    # Called with every signed request before moto serves it (scripts.emulator.recorder.Call).
    on_call: Callable[[Any], None] | None = field(default=None, repr=False)
    # Throttling, 5xx and latency injected in front of moto (scripts.emulator.faults.FaultPlan).
    faults: Any = field(default=None, repr=False)
    _server: Any = field(default=None, repr=False)

    @classmethod
    def from_env(cls, region: str = DEFAULT_REGION) -> Emulator:
        url = os.environ.get(ENDPOINT_ENV)
        return cls(endpoint_url=url, region=region, external=bool(url))

    def start(self) -> Emulator:
        if self.external:
            assert self.endpoint_url is not None
            check_endpoint(self.endpoint_url)
            return self
        # Managed policies (AmazonECSTaskExecutionRolePolicy, ...) exist in AWS; moto loads them on request.
        os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
        os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "false")
        from scripts.emulator import extensions

        extensions.install()
        # Request lines of the embedded server would drown test and demo output.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = _server_class(self.on_call, self.faults)(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # boto3 against the emulator -------------------------------------------------------------
    def client(self, service: str, region: str | None = None) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client(
            service,
            endpoint_url=self.endpoint_url,
            region_name=region or self.region,
            aws_access_key_id=FAKE_ACCESS_KEY,
            aws_secret_access_key=FAKE_SECRET_KEY,
            config=Config(retries={"max_attempts": 2, "mode": "standard"}, s3={"addressing_style": "path"}),
        )

    def env(self) -> dict[str, str]:
        """Variables that point SDK-based tools (and Terraform's S3 backend) at the emulator."""
        return {
            "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_KEY,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ENDPOINT_URL": self.endpoint_url or "",
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def reset(self) -> None:
        """Drop every resource in an embedded moto (not available for an external endpoint)."""
        if self.external:
            raise EmulatorError("reset is only available for the embedded moto server")
        req = urllib.request.Request(f"{self.endpoint_url}/moto-api/reset", method="POST")  # noqa: S310
        with urllib.request.urlopen(req, timeout=10):  # noqa: S310 - loopback URL we started
            pass


def _server_class(on_call: Callable[[Any], None] | None, faults: Any = None) -> Any:
    """moto's threaded server, with the request recorder and/or the fault injector in front of its
    dispatcher when asked (the injector outermost: a faulted call reaches neither moto nor the recorder)."""
    from moto.server import ThreadedMotoServer

    if on_call is None and faults is None:
        return ThreadedMotoServer
    from moto.moto_server.threaded_moto_server import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
        make_server,
    )

    from scripts.emulator.recorder import RecordingApp

    class RecordingMotoServer(ThreadedMotoServer):  # type: ignore[misc]
        def _server_entry(self) -> None:
            app: Any = DomainDispatcherApplication(create_backend_app)
            if on_call is not None:
                app = RecordingApp(app, on_call)
            if faults is not None:
                from scripts.emulator.faults import FaultApp

                app = FaultApp(app, faults)
            self._server = make_server(self._ip_address, self._port, app, True, request_handler=MotoRequestHandler)
            self._server_ready_event.set()
            self._server.serve_forever()

    return RecordingMotoServer


def check_endpoint(url: str, timeout: float = 5.0) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise EmulatorError(f"{ENDPOINT_ENV}={url!r} is not an http(s) URL")
    try:
        urllib.request.urlopen(url, timeout=timeout)  # noqa: S310 - scheme checked above
    except urllib.error.HTTPError:
        return  # it answered; an HTTP error status still means the endpoint is up
    except (urllib.error.URLError, OSError) as exc:
        raise EmulatorError(f"AWS endpoint {url} does not answer: {exc}") from exc
