"""Inventory rules (`unit.rules`): a source store's stock kept in target stores, minus a
buffer, with a dry run, written through the verified, compare-and-set write path."""

from g4hub_core.rules.schemas import PlannedChange, RuleCreate, RulePlan, RuleRead, RuleRun
from g4hub_core.rules.service import RuleService

__all__ = ["PlannedChange", "RuleCreate", "RulePlan", "RuleRead", "RuleRun", "RuleService"]
