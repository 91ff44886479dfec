"""Plain job functions that take their dependencies as arguments; scheduler.py attaches them."""
