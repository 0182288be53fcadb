"""Talking to an agent: protocol, targets (process, QEMU, serial), the spec checker and app runs."""
