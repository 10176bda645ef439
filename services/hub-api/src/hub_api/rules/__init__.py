"""`/api/rules`: inventory and price rules, their dry run and runs."""

from hub_api.rules.controller import RuleController

__all__ = ["RuleController"]
