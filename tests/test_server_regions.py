"""Through the server, a request scoped to a region where moto does not offer the service is a
4xx in AWS's shape (moto itself fails on it with a KeyError, a 500); a global service answers
in every region, and a service's own regions are served as before."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import NO_RETRIES

from iot_audit_fake.server import ThreadedServer


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer(port=0) as running:
        yield running


def client(server: ThreadedServer, service: str, region: str) -> Any:
    return boto3.client(service, region_name=region, endpoint_url=server.endpoint_url, config=NO_RETRIES,
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")


@pytest.mark.parametrize(("service", "region", "call"), [
    ("cognito-identity", "cn-northwest-1", lambda c: c.list_identity_pools(MaxResults=5)),
    ("iot", "af-south-1", lambda c: c.create_thing(thingName="sensor")),
    ("iot", "af-south-1", lambda c: c.describe_account_audit_configuration()),
])
def test_a_region_the_service_is_not_offered_in_is_refused_in_json(server, service, region, call):
    with pytest.raises(ClientError) as refused:
        call(client(server, service, region))
    response = refused.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403, response
    assert response["Error"]["Code"] == "InvalidSignatureException"
    assert region in response["Error"]["Message"]


def test_the_services_own_regions_and_a_global_service_are_served(server):
    pools = client(server, "cognito-identity", "eu-west-1")
    pools.create_identity_pool(IdentityPoolName="fleet", AllowUnauthenticatedIdentities=False)
    assert [p["IdentityPoolName"] for p in pools.list_identity_pools(MaxResults=5)["IdentityPools"]] == ["fleet"]
    for region in ("cn-northwest-1", "af-south-1", "us-east-1"):  # IAM is global: one per partition
        iam = client(server, "iam", region)
        iam.create_role(RoleName=f"audit-{region}", AssumeRolePolicyDocument="{}")
        assert f"audit-{region}" in {r["RoleName"] for r in iam.list_roles()["Roles"]}
    assert client(server, "sqs", "af-south-1").list_queues().get("QueueUrls", []) == []
