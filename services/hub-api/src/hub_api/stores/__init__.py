"""The stores routes."""
