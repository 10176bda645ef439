"""Hub core: tenancy, users, credential vault, persistence, sync and dashboard data.

A placeholder in the workspace until its issue fills it.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
