"""Scenario sections of moto's IoT registry: thing groups, things, policies, and the connections devices made.

Things and groups go to moto's IoT backend directly rather than through boto3 (a request through
botocore and moto's dispatcher costs milliseconds); moto's own rules still hold, and a name listed
twice or a group that does not exist is refused here.
"""

from __future__ import annotations

import json
from typing import Any

from .loader import KeyPath, SectionLoader, Step
from .times import resolve


class IotSections(SectionLoader):
    """Thing groups, things, policies and connections."""

    def thing_group(self, entry: dict[str, Any], path: KeyPath) -> None:
        name = entry["name"]
        if name in self.groups:
            raise Step((*path, "name"), f"a thing group named {name!r} already exists")
        _, arn, _ = self.iot.create_thing_group(name, None, {})
        self.groups[name] = self.iot.thing_groups[arn]

    def thing(self, entry: dict[str, Any], path: KeyPath) -> None:
        name = entry["name"]
        if name in self.things:
            raise Step((*path, "name"), f"a thing named {name!r} already exists")
        payload = {"attributes": dict(entry["attributes"])} if entry.get("attributes") else None
        thing = self.iot.create_thing(name, None, payload)
        self.things[name] = thing
        for j, group_name in enumerate(entry.get("groups", [])):
            group = self.groups.get(group_name)
            if group is None:
                raise Step((*path, "groups", j), f"no thing group named {group_name!r}")
            self.iot.add_thing_to_thing_group(group.thing_group_name, group.arn, None, thing.arn)

    def policy(self, entry: dict[str, Any], path: KeyPath) -> None:
        document = entry["document"]
        if isinstance(document, str):
            try:
                json.loads(document)
            except ValueError as error:
                raise Step((*path, "document"), f"the policy document is not valid JSON: {error}") from None
            text = document
        else:
            text = json.dumps(document)
        self.iot.create_policy(entry["name"], text)

    def connection(self, entry: dict[str, Any], path: KeyPath) -> None:
        certificate = self.label(entry["certificate"], (*path, "certificate")) if entry.get("certificate") else None
        with self.at((*path, "connected_at")):
            start = self.time(entry.get("connected_at"), self.now)
        with self.at((*path, "disconnected_at")):
            end = resolve(entry["disconnected_at"], self.now) if entry.get("disconnected_at") else None
        self.backend.record_connection(entry["client_id"], certificate, entry.get("thing"), start, end,
                                       entry.get("identity_pool"))
