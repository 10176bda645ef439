"""Acme: a made-up third platform, shipped only with the tests, to prove that a platform is one
folder plus its entry point. It has its own config, connector, descriptor and fake store, and
nothing in the SDK, the core or the service names it."""

from tests.connectors.contract.acme.connector import AcmeConfig, AcmeConnector
from tests.connectors.contract.acme.descriptor import DESCRIPTOR
from tests.connectors.contract.acme.store import FakeAcmeStore

__all__ = ["DESCRIPTOR", "AcmeConfig", "AcmeConnector", "FakeAcmeStore"]
