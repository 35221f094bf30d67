"""Day one as a new team lives it, run on the emulator: README's first-deploy commands and the
workflows' own steps, executed as written (tests/platform/test_platform_apply.py, ``iam-check``)."""
