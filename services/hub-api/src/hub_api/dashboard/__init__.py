"""The dashboard routes."""
