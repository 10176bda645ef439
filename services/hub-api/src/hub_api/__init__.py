"""The G4 Hub service: REST API, dashboard and the g4hub CLI.

A placeholder in the workspace until its issue fills it.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
