"""``iam-check``'s verdict and exit code, with the proof's steps replaced (the real steps run in
tests/platform/test_platform_apply.py, which shares scripts/iam/run.py)."""

from __future__ import annotations

import contextlib

import pytest

from scripts import cli
from scripts.commands import iam_check
from scripts.iam.proof import Denial, Verdict


class FakeRun:
    def __init__(self, verdicts):
        self._verdicts = verdicts
        self.steps = []
        self.log = type("Log", (), {"phase": ""})()
        self.platform = type("Ws", (), {"replan": lambda _self: self.steps.append("replan")})()

    def bootstrap_account(self):
        self.steps.append("bootstrap")

    def apply_platform(self):
        self.steps.append("apply")

    def update_in_place(self):
        self.steps.append("update")

    def plan_as_pull_request(self, env):
        self.steps.append(f"plan {env}")

    def destroy_platform(self):
        self.steps.append("destroy")

    def verdicts(self):
        return self._verdicts


@pytest.fixture
def fake(monkeypatch):
    runs = []

    def install(verdicts):
        run = FakeRun(verdicts)
        runs.append(run)

        @contextlib.contextmanager
        def proof(*_args, **_kwargs):
            yield run

        class NoEmulator:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return None

        monkeypatch.setattr(iam_check, "proof", proof)
        monkeypatch.setattr(iam_check, "Emulator", lambda **_kw: NoEmulator())
        return run

    return install


def test_a_denial_exits_1_and_names_action_and_arn(fake, capsys):
    denial = Denial(
        "sqs:CreateQueue",
        "arn:aws:sqs:eu-west-1:1:q",
        "CreateQueue",
        "apply",
        "no statement allows it",
        "the call itself",
    )
    run = fake([Verdict("arn:aws:iam::1:role/x-apply", calls=3, evaluations=2, allowed=1, denials=[denial])])
    assert cli.main(["iam-check"]) == 1
    out = capsys.readouterr().out
    assert "x-apply: 3 calls, 2 evaluations, 1 allowed, 1 denied, 0 unresolved" in out
    assert (
        "DENIED sqs:CreateQueue on arn:aws:sqs:eu-west-1:1:q (CreateQueue during apply): no statement allows it" in out
    )
    assert run.steps == ["bootstrap", "apply", "replan", "update", "plan dev", "plan prod", "destroy"]


def test_an_unresolved_call_exits_1(fake, capsys):
    fake([Verdict("arn:aws:iam::1:role/x-plan", calls=1, evaluations=0, unresolved=["ecs:X (X): no cluster resource"])])
    assert cli.main(["iam-check"]) == 1
    assert "UNRESOLVED ecs:X (X): no cluster resource" in capsys.readouterr().out


def test_every_call_allowed_exits_0(fake, capsys):
    fake([Verdict("arn:aws:iam::1:role/x-apply", calls=3, evaluations=2, allowed=2)])
    assert cli.main(["iam-check"]) == 0
    assert "0 denied, 0 unresolved" in capsys.readouterr().out
