"""Puts the fake in front of moto's request dispatcher, so moto's own ``mock_aws`` serves the audit API.

Importing :mod:`iot_audit_fake` calls :func:`install`, which must stay cheap (pytest imports the
package in every run through the plugin): it imports nothing of moto. If moto's
``moto.core.models`` is already loaded, its ``botocore_stubber`` is patched at once; otherwise an
import hook patches it the moment moto loads it. The patched ``process_request`` hands each request
to :func:`iot_audit_fake.mock.handle_request` (imported on the first request), which serves what the
fake serves and gives moto the rest. ``process_request`` is what both botocore's ``before-send`` hook
and ``requests`` (through ``responses``) reach, and moto only calls it while a mock is active.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

_TARGET = "moto.core.models"


def install() -> None:
    """Patch moto's dispatcher now if moto is loaded, else as soon as it is (idempotent)."""
    module = sys.modules.get(_TARGET)
    if module is not None and hasattr(module, "botocore_stubber"):
        _patch(module)
    elif not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())


def _patch(models: ModuleType) -> None:
    stubber = models.botocore_stubber
    if getattr(stubber, "_iot_audit_fake", False):
        return
    moto_process = stubber.process_request

    def process_request(request: Any) -> Any:
        from .mock import handle_request

        return handle_request(request, moto_process)

    stubber.process_request = process_request
    stubber._iot_audit_fake = True


class _Finder(MetaPathFinder):
    """Finds nothing itself: it lets the other finders find ``moto.core.models`` and patches it once loaded."""

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname != _TARGET:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec: ModuleSpec | None = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        execute = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            execute(module)
            _patch(module)
            if self in sys.meta_path:
                sys.meta_path.remove(self)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec
