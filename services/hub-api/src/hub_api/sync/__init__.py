"""The sync routes."""
