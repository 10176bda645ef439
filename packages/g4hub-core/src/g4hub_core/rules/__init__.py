"""Rules (`unit.rules`): a source store's stock (inventory rules, minus a buffer) or price
(price rules, marked up or down and rounded) kept in target stores, with a dry run, written
through the verified, compare-and-set write path, each run recorded."""

from g4hub_core.rules.pricing import adjusted_price, round_price
from g4hub_core.rules.schemas import (
    PlannedChange,
    RuleCreate,
    RulePlan,
    RuleRead,
    RuleRun,
    RuleRunRead,
)
from g4hub_core.rules.service import RuleService

__all__ = [
    "PlannedChange",
    "RuleCreate",
    "RulePlan",
    "RuleRead",
    "RuleRun",
    "RuleRunRead",
    "RuleService",
    "adjusted_price",
    "round_price",
]
