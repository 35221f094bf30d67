"""The one base class of the errors the CLI reports as one readable line with exit code 2.

Every domain error derives from ``PlatformError``: the toolchain (``ToolchainError``), the emulator
(``EmulatorError``), a plan file (``PlanFormatError``), a failed Terraform command (``TerraformError``),
checkov (``CheckovError``) and bad input from the caller (``UsageError``). ``scripts/cli.py`` catches
``PlatformError`` once; nothing below it prints a traceback for a problem the user can fix.
Exit 1 is not an error: it is a command's verdict ("the check found violations").
"""

from __future__ import annotations

from pathlib import Path

EXIT_ERROR = 2


class PlatformError(Exception):
    """A problem the user can fix; ``str()`` says what and, where it can, how."""

    exit_code = EXIT_ERROR
    # Where the full output behind this error was written (a Terraform log), when there is one.
    log: Path | None = None

    def one_line(self) -> str:
        """The message as one line (whitespace collapsed), with the log's path when there is one."""
        text = " ".join(str(self).split()) or type(self).__name__
        if self.log is not None and str(self.log) not in text:
            text = f"{text} (full Terraform log: {self.log})"
        return text


class UsageError(PlatformError, RuntimeError):
    """Bad input from the caller: unknown environment, unreadable file, unwritable output path."""
