"""The connector contract, as a pytest suite a connector's author runs against their connector
and its fake store: the same checks the built-in WooCommerce and Shopify connectors pass.

    from g4hub_connectors.testing.contract import ConnectorContract

    class TestAcme(ConnectorContract):
        store_factory = FakeAcmeStore      # a g4hub_connectors.testing.FakeStore subclass

The connector must be registered (entry point `g4hub.connectors`, or `g4hub_connectors.register`)
so that `create_connector(store.credentials())` builds it. The fake store implements `FakeStore`'s
abstract methods; faults (statuses, HTML, truncated and empty bodies, dropped and hung
connections), latency and loopback serving come with the base class. A catalog of 37 products
with some variable ones and update times around mid-2024 (`generate_catalog`) fits every check.
"""

from g4hub_connectors.testing.contract._reading import ReadingContract
from g4hub_connectors.testing.contract._robustness import RobustnessContract

__all__ = ["ConnectorContract", "ReadingContract", "RobustnessContract"]


class ConnectorContract(ReadingContract, RobustnessContract):
    """Every check of the contract. Subclass it as `Test…` with `store_factory` set."""
