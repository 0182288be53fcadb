"""From a board and features to firmware: SCons, templates, RTOS builds, images, flashing."""
