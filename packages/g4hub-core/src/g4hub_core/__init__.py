"""g4hub-core: the hub's engine, usable without the web service.

from g4hub_core import Hub, HubSettings

hub = Hub(HubSettings())        # G4HUB_* from the environment, or pass fields directly
await hub.upgrade()
async with hub:
    async with hub.unit() as unit:
        account = await unit.accounts.register(...)
"""

from g4hub_core.errors import (
    AccessDenied,
    Conflict,
    CoreError,
    InvalidInput,
    NotFound,
    StoreConnectionFailed,
    VaultError,
)
from g4hub_core.hub import Hub, Unit
from g4hub_core.settings import HubSettings

__version__ = "0.1.0"

__all__ = [
    "AccessDenied",
    "Conflict",
    "CoreError",
    "Hub",
    "HubSettings",
    "InvalidInput",
    "NotFound",
    "StoreConnectionFailed",
    "Unit",
    "VaultError",
    "__version__",
]
