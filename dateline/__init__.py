"""Dateline: live coverage for newsrooms."""

__version__ = "0.1.0"
