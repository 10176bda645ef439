"""The G4 Hub service: the REST API (`hub_api.app.create_app`) and the `g4hub` CLI
(`hub_api.cli`, also `python -m hub_api`)."""

__version__ = "0.1.0"
__all__ = ["__version__"]
