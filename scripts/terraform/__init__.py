"""Running Terraform and reading what it says.

The wrapper (``tf``: workspaces, scratch copies, logs, the plugin cache), the toolchain it resolves
(``toolchain``: terraform, the provider mirror; ``checkov_runner``), the state backend's init arguments
(``backend``), the plan JSON (``inventory``), the re-plan's verdict (``idempotency``) and the
``validate`` command's logic (``validate``). Commands and the other areas import from here; nothing here
imports a command.
"""
