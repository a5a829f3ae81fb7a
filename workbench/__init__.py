"""Parade Workbench: brand kits -> concepts -> reviews -> parade films."""
