"""Scenario sections of IAM: roles (through boto3 and moto's IAM validation), role aliases, service usage.
"""

from __future__ import annotations

import json
from typing import Any

from .. import moto_backends
from ..moto_errors import MOTO_ERRORS
from .loader import KeyPath, SectionLoader, Step


class IamSections(SectionLoader):
    """IAM roles, IoT role aliases and the service-last-accessed data of roles."""

    def iam_role(self, entry: dict[str, Any], path: KeyPath) -> None:
        iam = self.iam()
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "credentials.iot.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        arn = iam.create_role(RoleName=entry["name"], AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        for i, document in enumerate(entry.get("policies", [])):
            with self.at((*path, "policies", i)):
                iam.put_role_policy(RoleName=entry["name"], PolicyName=f"{entry['name']}-{i + 1}",
                                    PolicyDocument=json.dumps(document))
        self.roles[entry["name"]] = arn

    def _existing_role(self, name: str) -> str | None:
        try:
            return str(moto_backends.iam(self.account, self.region).get_role(name).arn)
        except MOTO_ERRORS:  # moto's NoSuchEntity (named differently across moto 5.x)
            return None

    def role_alias(self, entry: dict[str, Any], path: KeyPath) -> None:
        self.iot.create_role_alias(entry["alias"], self._role_arn(entry["role"], (*path, "role")), 3600)

    def _role_arn(self, role: str, path: KeyPath) -> str:
        arn = self.roles.get(role) or (role if role.startswith("arn:") else self._existing_role(role))
        if arn is None:
            raise Step(path, f"no IAM role named {role!r} (in iam_roles or the account); "
                             "give a role name or a role ARN")
        return arn

    def service_usage(self, entry: dict[str, Any], path: KeyPath) -> None:
        arn = self._role_arn(entry["role"], (*path, "role"))
        with self.at((*path, "last_accessed")):
            when = self.time(entry.get("last_accessed"), self.now)
            self.backend.record_service_usage(arn, entry["service"], when)
