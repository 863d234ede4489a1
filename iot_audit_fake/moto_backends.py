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


def existing_iam(account_id: str, region: str) -> Any | None:
    """moto's IAM backend of ``region``'s partition if moto holds one: looking creates nothing."""
    from moto.iam.models import iam_backends
    from moto.utilities.utils import get_partition

    partitions = dict.get(iam_backends, account_id)
    return dict.get(partitions, get_partition(region)) if partitions is not None else None
