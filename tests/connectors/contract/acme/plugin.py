"""Installing Acme the way a third-party package is installed: an entry point in the
`g4hub.connectors` group (patched into `importlib.metadata`'s answer, as an installed
distribution's metadata would give it), found by the registry with no other edit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import EntryPoint, EntryPoints
from typing import Any
from unittest import mock

from g4hub_connectors import registry

ACME_ENTRY_POINT = EntryPoint(
    name="acme",
    value="tests.connectors.contract.acme:AcmeConnector",
    group=registry.ENTRY_POINT_GROUP,
)


@contextmanager
def acme_installed() -> Iterator[None]:
    """While inside, the environment has a package declaring Acme's entry point."""
    real = registry.entry_points

    def with_acme(**params: Any) -> EntryPoints:
        found = list(real(**params))
        if params.get("group") == registry.ENTRY_POINT_GROUP:
            found.append(ACME_ENTRY_POINT)
        return EntryPoints(found)

    with mock.patch.object(registry, "entry_points", with_acme):
        # The registry reads entry points once; make it read them again, now and after.
        registry._loaded_entry_points = False
        try:
            yield
        finally:
            registry._registry.pop("acme", None)
            registry._descriptors.pop("acme", None)
            registry._loaded_entry_points = False
