"""Errors the CLI reports as one line with exit code 2 (usage or environment problems)."""


class UsageError(RuntimeError):
    """Bad input from the caller: unknown environment, unreadable file, unwritable output path."""
