"""Crossdock package."""
