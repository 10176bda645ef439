"""`/api/rules`: inventory rules, their dry run and runs."""

from hub_api.rules.controller import RuleController

__all__ = ["RuleController"]
