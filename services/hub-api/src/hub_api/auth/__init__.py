"""Authentication: tokens, the session cookie, the auth routes."""
