"""Where the fake finds moto's backends for an account and region: the one lookup per service.

IAM is global within a partition: moto keeps one IAM backend per partition (``aws``,
``aws-cn``, ...), so the IAM backend of a region is the one of that region's partition,
for the checks, the mitigation effects and the scenario loader alike (moto's own
``"global"`` key is only ever the ``aws`` partition's).

moto is imported on use: the modules that import this one are imported by code that
must not load moto before a mock starts.
"""

from __future__ import annotations

from typing import Any


def iot(account_id: str, region: str) -> Any:
    """moto's IoT backend (things, certificates, policies, role aliases, logging roles)."""
    from moto.iot.models import iot_backends

    return iot_backends[account_id][region]


def iam(account_id: str, region: str) -> Any:
    """moto's IAM backend of ``region``'s partition."""
    from moto.iam.models import iam_backends
    from moto.utilities.utils import get_partition

    return iam_backends[account_id][get_partition(region)]


def cognito_identity(account_id: str, region: str) -> Any:
    """moto's Cognito Identity backend (identity pools)."""
    from moto.cognitoidentity.models import cognitoidentity_backends

    return cognitoidentity_backends[account_id][region]


def sns(account_id: str, region: str) -> Any:
    """moto's SNS backend (topics)."""
    from moto.sns.models import sns_backends

    return sns_backends[account_id][region]


def default_account_id() -> str:
    """moto's default account (its ``DEFAULT_ACCOUNT_ID``; MOTO_ACCOUNT_ID is the caller's to read)."""
    global _default_account_id
    if _default_account_id is None:
        from moto.core.models import DEFAULT_ACCOUNT_ID

        _default_account_id = str(DEFAULT_ACCOUNT_ID)
    return _default_account_id


_default_account_id: str | None = None
_iam_backends: Any = None  # moto's iam_backends, once imported (moto's own object: it outlives no mock)


def account_holding_key(access_key: str) -> str | None:
    """The account whose IAM holds ``access_key`` (an IAM user's key, or a role's assumed through
    STS), if one does: moto's own rule (``moto.iam.models.get_account_id_from``), the first
    account in moto's order with the key in any partition.

    Read here rather than through moto's function because every request pays for it:
    moto's indexes each partition of each account through ``BackendDict.__getitem__``,
    which makes the backends it lacks; this reads only those moto holds (one that does
    not exist holds no key), in a fraction of the time. Same accounts, same order."""
    global _iam_backends
    if _iam_backends is None:
        from moto.iam.models import iam_backends

        _iam_backends = iam_backends
    for account_id, partitions in list(dict.items(_iam_backends)):  # list(): another thread may add one
        for backend in list(dict.values(partitions)):
            if access_key in backend.access_keys:
                return str(account_id)
    return None


def existing_iam(account_id: str, region: str) -> Any | None:
    """moto's IAM backend of ``region``'s partition if moto holds one: looking creates nothing."""
    from moto.iam.models import iam_backends
    from moto.utilities.utils import get_partition

    partitions = dict.get(iam_backends, account_id)
    return dict.get(partitions, get_partition(region)) if partitions is not None else None
