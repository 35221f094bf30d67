"""The emulator demo behind ``python -m scripts demo``: apply, check, re-plan, destroy (``steps``)."""
