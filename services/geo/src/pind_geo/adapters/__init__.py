"""Adapters to the outside world, one file per outside system."""
