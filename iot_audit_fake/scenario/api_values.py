"""A scenario's API-shaped values, read by the API's own reader (``wire.shapes.reader``).

A scenario's audit configuration, logging options, suppressions, scheduled audits,
mitigation actions and tasks, and the resources of its findings are values the API takes
too. They are read here by the reader the router reads requests with, by the same shapes of
botocore's model, so a scenario and a call refuse the same values with the same words (a
scenario could once set ``level: LOUD``, which SetV2LoggingOptions refuses). The schema
describes the scenario's own structure; where it already refused a value, in the scenario's
words, that message stands alone (validation.py).

The one thing added for scenarios: a key that is no member of an API structure (``params``,
``target``, a resource) is refused. The API ignores unknown JSON members; in a scenario file
they are typos, which would otherwise be accepted and ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from botocore.model import Shape

from ..errors import InvalidRequestException
from ..service_model import model
from ..wire.shapes import reader
from .source import Path_, Source, did_you_mean
from .walk import entries, region_states

Problem = tuple[Path_, str, bool]

#: Scenario key -> the API member it is, per section: (input structure, {scenario key: member}).
_MEMBERS: dict[str, tuple[str, dict[str, str]]] = {
    "logging": ("SetV2LoggingOptionsRequest",
                {"role_arn": "roleArn", "level": "defaultLogLevel", "disable_all_logs": "disableAllLogs"}),
    "suppressions": ("CreateAuditSuppressionRequest",
                     {"check": "checkName", "resource": "resourceIdentifier", "indefinitely": "suppressIndefinitely",
                      "description": "description"}),
    "scheduled_audits": ("CreateScheduledAuditRequest",
                         {"name": "scheduledAuditName", "frequency": "frequency", "day_of_month": "dayOfMonth",
                          "day_of_week": "dayOfWeek", "checks": "targetCheckNames", "tags": "tags"}),
    "mitigation_actions": ("CreateMitigationActionRequest",
                           {"name": "actionName", "role_arn": "roleArn", "params": "actionParams", "tags": "tags"}),
    "mitigation_tasks": ("StartAuditMitigationActionsTaskRequest",
                         {"id": "taskId", "target": "target", "actions": "auditCheckToActionsMapping"}),
    "seeded": ("NonCompliantResource", {"resource": "resourceIdentifier", "additional_info": "additionalInfo"}),
}
_SNS = ("AuditNotificationTarget", {"target_arn": "targetArn", "role_arn": "roleArn", "enabled": "enabled"})
_FINDING_RELATED = ("AuditFinding", {"related": "relatedResources"})

#: Where the reader's message names the member path (``...at 'a.b' failed to satisfy...``).
_AT = re.compile(r" at '([^']*)' failed to satisfy constraint: ")


def check(source: Source) -> list[Problem]:
    """(key path, message, point at the key) for every API-shaped value the API would refuse."""
    if not isinstance(source.data, dict):
        return []
    found: list[Problem] = []
    for path, state in region_states(source.data):
        for section, (structure, members) in _MEMBERS.items():
            if section == "logging":  # a mapping, not a list
                if isinstance(state.get(section), dict):
                    _entry(found, (*path, section), state[section], structure, members)
                continue
            for i, entry in entries(state, section):
                _entry(found, (*path, section, i), entry, structure, members)
        for i, task in entries(state, "audit_tasks"):
            for j, finding in entries(task, "findings"):
                at = (*path, "audit_tasks", i, "findings", j)
                _entry(found, at, finding, *_MEMBERS["seeded"])
                _entry(found, at, finding, *_FINDING_RELATED)
        for i, entry in entries(state, "seeded"):
            _entry(found, (*path, "seeded", i), entry, *_FINDING_RELATED)
        config = state.get("audit_configuration")
        if isinstance(config, dict):
            _audit_configuration(found, (*path, "audit_configuration"), config)
    return found


def _audit_configuration(found: list[Problem], at: Path_, config: dict[str, Any]) -> None:
    _entry(found, at, config, "UpdateAccountAuditConfigurationRequest", {"role_arn": "roleArn"})
    if isinstance(config.get("sns"), dict):
        _entry(found, (*at, "sns"), config["sns"], *_SNS, prefix="auditNotificationTargetConfigurations.SNS.")
    checks = config.get("checks")
    if not isinstance(checks, dict):
        return
    for name, given in checks.items():
        if not isinstance(given, dict):
            continue
        # As the loader sends it: custom settings as strings, the scenario's enable time left out.
        value = {key: given[key] for key in ("enabled", "configuration") if key in given}
        if isinstance(value.get("configuration"), dict):
            value["configuration"] = {k: str(v) for k, v in value["configuration"].items()}
        _read(found, (*at, "checks", name), value, model().shape_for("AuditCheckConfiguration"),
              f"auditCheckConfigurations.{name}")


def _entry(found: list[Problem], at: Path_, entry: dict[str, Any], structure: str, members: dict[str, str],
           prefix: str = "") -> None:
    """Read each of ``entry``'s keys as the member of ``structure`` it is (``prefix``: where the
    structure sits in the operation's input, for the message)."""
    shape = model().shape_for(structure)
    for key, member in members.items():
        value = entry.get(key)
        if value is None:
            continue
        if key == "resource" and isinstance(value, dict) and ({"certificate", "ca_certificate"} & set(value)):
            continue  # a certificate of the scenario, by its label (references.py resolves it)
        if key == "tags" and isinstance(value, dict):
            _tags(found, (*at, key), value, shape.members[member])
            continue
        _read(found, (*at, key), value, shape.members[member], f"{prefix}{member}")


def _tags(found: list[Problem], at: Path_, tags: dict[str, Any], shape: Shape) -> None:
    """A scenario's tags mapping, read as the API's tag list; a problem points at its key."""
    keys = list(tags)
    listed = [{"Key": key, "Value": value} for key, value in tags.items()]
    try:
        reader(shape)(listed, "tags")
    except InvalidRequestException as error:
        inner = _member_path(error.message)
        item = re.match(r"tags\.([0-9]+)\.member\.(Key|Value)$", inner)
        where = (*at, keys[int(item.group(1)) - 1]) if item else at
        found.append((where, _constraint(error.message, None), bool(item and item.group(2) == "Key")))


def _read(found: list[Problem], at: Path_, value: Any, shape: Shape, name: str) -> None:
    """Read ``value`` as the API reads its member ``name`` of ``shape``; report the first refusal."""
    try:
        reader(shape)(value, name)
    except InvalidRequestException as error:
        inner = _member_path(error.message)
        relative = _locate(value, inner[len(name) + 1:] if inner.startswith(f"{name}.") else "")
        found.append(((*at, *relative), _constraint(error.message, _enum(shape, relative)), False))
        return
    found.extend(_unknown_keys(at, value, shape))


def _member_path(message: str) -> str:
    matches = _AT.findall(message)
    return str(matches[-1]) if matches else ""


def _constraint(message: str, enum: list[str] | None) -> str:
    """The reader's message without its count (one problem, one line), with a "did you mean"."""
    text = message.split("detected: ", 1)[-1]
    value = re.match(r"Value '(.*)' at '", text)
    if enum and value:
        text += did_you_mean(value.group(1), enum)
    return text


def _enum(shape: Shape, relative: Path_) -> list[str] | None:
    for part in relative:
        if shape.type_name == "structure" and isinstance(part, str) and part in shape.members:
            shape = shape.members[part]
        elif shape.type_name == "list" and isinstance(part, int):
            shape = shape.member
        elif shape.type_name == "map":
            shape = shape.value
        else:
            return None
    enum = getattr(shape, "enum", None)  # string shapes only
    return list(enum) if enum else None


def _locate(value: Any, rest: str) -> Path_:
    """The key path inside ``value`` of the reader's member path ``rest`` (``a.b``, ``list.2.member``)."""
    out: list[str | int] = []
    node = value
    while rest:
        if isinstance(node, list):
            index, _, rest = rest.partition(".")
            rest = rest.removeprefix("member").removeprefix(".")
            if not index.isdigit() or not 0 < int(index) <= len(node):
                break
            out.append(int(index) - 1)
            node = node[int(index) - 1]
        elif isinstance(node, dict):
            keys = [key for key in node if isinstance(key, str) and (rest == key or rest.startswith(f"{key}."))]
            if not keys:  # a map's key ("key") or a missing required member: its parent is the place
                missing = rest.split(".", 1)[0]
                if missing != "key":
                    out.append(missing)
                break
            key = max(keys, key=len)
            out.append(key)
            node, rest = node[key], rest[len(key) + 1:]
        else:
            break
    return tuple(out)


def _unknown_keys(at: Path_, value: Any, shape: Shape) -> Iterator[Problem]:
    """Keys of ``value`` that are no member of the structures ``shape`` describes."""
    walk: list[tuple[Path_, Any, Shape]] = [(at, value, shape)]
    while walk:
        where, node, shape = walk.pop()
        if shape.type_name == "structure" and isinstance(node, dict):
            for key, item in node.items():
                if key not in shape.members:
                    hint = did_you_mean(str(key), shape.members) or f"; expected one of: {', '.join(shape.members)}"
                    yield (*where, key), f"unknown key {key!r} of {shape.name}{hint}", True
                else:
                    walk.append(((*where, key), item, shape.members[key]))
        elif shape.type_name == "list" and isinstance(node, list):
            walk.extend(((*where, i), item, shape.member) for i, item in enumerate(node))
        elif shape.type_name == "map" and isinstance(node, dict):
            walk.extend(((*where, key), item, shape.value) for key, item in node.items())
