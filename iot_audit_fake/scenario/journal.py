"""The undo journal that makes a scenario load atomic, without a deep copy of every backend.

Before the load, :func:`recorded` notes, for every backend the loader can touch (moto's
IoT, IAM, Cognito Identity and SNS, and the audit state), which region backends exist and
what each backend's containers hold: the attributes of the backend and of the structures
it owns (a Timeline, the audit configuration, ...), and the entries of its dicts, lists
and sets, nested ones included. It records *references*, never copies of the resources:
a load into an account holding 100,000 certificates costs one pointer per certificate
here, where a deep copy cloned every certificate, its PEM and its parsed fields.

If the load fails, the journal is replayed: every recorded container gets its entries
back in place (so whatever holds a reference to it sees the restored content), every
recorded object its attributes, and region backends the load created are dropped.

A load mostly *adds* resources and changes the containers that hold them. The existing
resources it can change in place are recorded with their attributes too (``_ENTITIES``):
a thing group gaining members, and what a past mitigation task's effects change (a
certificate's status, a policy's default version); that is one shallow copy of the
attributes per such resource, still no copy of the resource's content. Upkeep that the
load's ``catch_up`` ran on existing audit tasks (a task that had come due finishing) is
not undone: the next call would have done the same, and the restored indexes follow
the task when it is next settled.
"""

from __future__ import annotations

import gc
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Undo = Callable[[], object]

#: Backend attributes holding resources that a load may change in place: each resource is recorded.
_ENTITIES = {"thing_groups", "certificates", "ca_certificates", "policies"}
#: How far nested containers and owned structures are followed (a Timeline's index lists are 3 deep).
_DEPTH = 4


def _backend_dicts() -> list[Any]:
    from moto.cognitoidentity.models import cognitoidentity_backends
    from moto.iam.models import iam_backends
    from moto.iot.models import iot_backends
    from moto.sns.models import sns_backends

    return [iot_backends, iam_backends, cognitoidentity_backends, sns_backends]


def _audit_backends() -> Any:
    from ..backend import audit_backends

    return audit_backends


class Journal:
    def __init__(self) -> None:
        self._undo: list[Undo] = []
        self._seen: set[int] = set()

    def backend_dict(self, backends: Any, depth: int = _DEPTH) -> None:
        """Every account's region backends as they are; each existing backend's content."""
        accounts = {account: dict(dict.items(regions)) for account, regions in dict.items(backends)}

        def restore_regions() -> None:
            for account, regions in dict.items(backends):
                dict.clear(regions)
                dict.update(regions, accounts.get(account, {}))

        self._undo.append(restore_regions)
        for regions in accounts.values():
            for backend in regions.values():
                self.structure(backend, depth)

    def structure(self, obj: Any, depth: int, entities: bool = False) -> None:
        """An object's attributes, and (``depth`` levels down) the containers and structures they hold
        (and, with ``entities``, the objects in those containers)."""
        if id(obj) in self._seen or not hasattr(obj, "__dict__"):
            return
        self._seen.add(id(obj))
        attributes = vars(obj)
        saved = dict(attributes)

        def restore() -> None:
            attributes.clear()
            attributes.update(saved)

        self._undo.append(restore)
        for name, value in saved.items():
            if type(value) not in _ATOMS:  # most attributes: skipped without a call
                self.value(value, depth - 1, entities or name in _ENTITIES)

    def value(self, value: Any, depth: int, entities: bool = False) -> None:
        if depth < 0 or type(value) in _ATOMS:
            return
        if isinstance(value, dict):
            self.container(value, dict(value), depth)
            for item in list(value.values()):
                if type(item) not in _ATOMS:
                    self._nested(item, depth, entities)
        elif isinstance(value, (list, set)):
            self.container(value, value.copy(), depth)
            for item in list(value):
                self._nested(item, depth, entities)
        elif depth > 0 and _owned(value):
            self.structure(value, depth, entities)

    def _nested(self, item: Any, depth: int, entities: bool) -> None:
        # Containers inside containers are structure; objects inside them are resources, recorded only
        # where a load may change them in place.
        if isinstance(item, (dict, list, set)):
            self.value(item, depth - 1, entities)
        elif entities and _owned(item):
            self.structure(item, 2, entities)

    def container(self, live: Any, saved: Any, depth: int) -> None:
        if id(live) in self._seen:
            return
        self._seen.add(id(live))
        if isinstance(live, OrderedDict):
            # Its own methods: dict.clear/update bypass OrderedDict's order links, and the next
            # values() then raises KeyError for a key the load added (moto's IoT things are one).
            self._undo.append(lambda: _refill(live, saved))
        elif isinstance(live, dict):
            self._undo.append(lambda: (dict.clear(live), dict.update(live, saved)))
        elif isinstance(live, list):
            self._undo.append(lambda: live.__setitem__(slice(None), saved))
        else:
            self._undo.append(lambda: _refill(live, saved))

    def undo(self) -> None:
        for step in reversed(self._undo):
            step()


def _refill(live: Any, saved: Any) -> None:
    live.clear()
    live.update(saved)


_ATOMS = frozenset({str, bytes, int, float, bool, tuple, type(None)})


def _owned(value: Any) -> bool:
    """Structures a backend owns (its Timeline, configuration, ...): this package's and moto's own classes.

    Anything else (a lock, a botocore model, a module) is shared or not state, and left alone."""
    module = type(value).__module__
    return module.startswith(("iot_audit_fake.", "moto.")) and not callable(value)


@contextmanager
def recorded() -> Iterator[None]:
    """Put every backend the loader touches back as it was if the block raises."""
    journal = Journal()
    # Recording allocates many small objects and no cycles: the collector would only rescan the heap.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for backends in _backend_dicts():
            journal.backend_dict(backends)
        # The audit backend's data sits one level down, in its AuditState (``backend.state``).
        journal.backend_dict(_audit_backends(), _DEPTH + 1)
    finally:
        if collecting:
            gc.enable()
    try:
        yield
    except BaseException:
        journal.undo()
        raise

