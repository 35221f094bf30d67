"""The embedded AWS emulator and the Terraform override that points the provider at it."""

from scripts.emulator.override import render_override, write_override
from scripts.emulator.server import Emulator, EmulatorError

__all__ = ["Emulator", "EmulatorError", "render_override", "write_override"]
