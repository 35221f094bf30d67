"""CLI commands: each module exposes ``register(subparsers)`` and is listed in ``scripts.cli.COMMANDS``."""
