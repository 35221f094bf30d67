"""CLI commands; each module exposes ``register(subparsers)`` (see scripts/cli.py)."""
