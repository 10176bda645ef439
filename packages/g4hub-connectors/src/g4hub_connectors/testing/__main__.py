"""`python -m g4hub_connectors.testing woocommerce --port 8081`: the `g4hub-fake-store` command."""

from g4hub_connectors.testing._cli import main

main()
