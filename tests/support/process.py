"""A child process whose output a test reads while it runs."""

from __future__ import annotations

import subprocess
import threading
import time

import pytest


class Streamed:
    """``proc``'s merged output collected line by line on a thread, so a test can wait for a line.

    ``what`` names the process in a failure message ("apply", "the demo")."""

    def __init__(self, proc: subprocess.Popen[str], what: str) -> None:
        self.proc = proc
        self.what = what
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, fragment: str, timeout: float = 180) -> None:
        """Return once the output holds ``fragment``; fail if the process ends first or time runs out."""
        deadline = time.monotonic() + timeout
        while fragment not in self.text:
            # Ended and every line read: the fragment will not come.
            if self.proc.poll() is not None and not self.reader.is_alive():
                pytest.fail(f"{self.what} exited {self.proc.returncode} before {fragment!r}:\n{self.text[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"no {fragment!r} from {self.what} within {timeout} s:\n{self.text[-3000:]}")
            time.sleep(0.2)
