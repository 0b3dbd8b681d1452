"""Newsroom views, one module per screen. Each calls actions and shows their errors; none writes models."""
