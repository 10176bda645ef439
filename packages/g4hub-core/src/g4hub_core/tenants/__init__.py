"""Tenants and their users: registration, sign-in, password and email rules."""

from g4hub_core.tenants.emails import normalize_email
from g4hub_core.tenants.passwords import (
    check_password_strength,
    hash_password,
    needs_rehash,
    verify_password,
)
from g4hub_core.tenants.repository import OwnTenantRepository, UserDirectory, UserRepository
from g4hub_core.tenants.schemas import Registration, TenantRead, UserRead
from g4hub_core.tenants.service import AccountService

__all__ = [
    "AccountService",
    "OwnTenantRepository",
    "Registration",
    "TenantRead",
    "UserDirectory",
    "UserRead",
    "UserRepository",
    "check_password_strength",
    "hash_password",
    "needs_rehash",
    "normalize_email",
    "verify_password",
]
