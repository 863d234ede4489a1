"""The roles of Cognito identity pools (SetIdentityPoolRoles), which moto's pool model does not hold.

The map lives in a moto ``BackendDict`` of its own, per account and region, so moto's
reset clears it with the pools; moto's pool objects are left as moto made them. The
wire adapter (:mod:`.cognito_roles`) writes and reads it, and the two Cognito checks
read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from moto.core.base_backend import BackendDict, BaseBackend


@dataclass
class PoolRoles:
    """One pool's SetIdentityPoolRoles input, as given."""

    roles: dict[str, str] = field(default_factory=dict)
    role_mappings: dict[str, Any] = field(default_factory=dict)


class IdentityPoolRolesBackend(BaseBackend):
    """Roles by identity pool id, for one account and region."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.pools: dict[str, PoolRoles] = {}


identity_pool_roles: BackendDict[IdentityPoolRolesBackend] = BackendDict(
    IdentityPoolRolesBackend, "cognito-identity")


def set_roles(account_id: str, region: str, pool_id: str, roles: dict[str, str],
              role_mappings: dict[str, Any]) -> None:
    """Replace a pool's roles and role mappings (SetIdentityPoolRoles replaces both)."""
    identity_pool_roles[account_id][region].pools[pool_id] = PoolRoles(dict(roles), dict(role_mappings))


def roles_of(account_id: str, region: str, pool_id: str) -> PoolRoles:
    """A pool's roles (none set: empty); looking creates nothing."""
    regions = dict.get(identity_pool_roles, account_id)
    backend = dict.get(regions, region) if regions is not None else None
    found = backend.pools.get(pool_id) if backend is not None else None
    return found if found is not None else PoolRoles()
