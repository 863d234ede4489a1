"""Compact JSON for response bodies, with one encoder built once rather than one per call.

``json.dumps`` and ``JSONEncoder.encode`` build a new C encoder on every call; on the per-call
path of the fake that setup costs about as much as encoding a small reply. The encoder here is
made once, with the standard library's own C accelerator when it has one (checked at import
against :class:`json.JSONEncoder`'s output), else it is ``JSONEncoder.encode``. Output is AWS's
compact form (no spaces); keys keep their order; non-ASCII is escaped; circular values are not
looked for (response values are trees).
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable
from typing import Any

Encode = Callable[[Any], str]

_SAMPLE = {"a": [1, 1.5, -0.25, "\u00e9\n\"", True, False, None], "b": {"c": {}}, "d": []}


def compact_encoder(default: Callable[[Any], Any] | None = None) -> Encode:
    """A function value -> compact JSON text; ``default`` converts what JSON has no type for."""
    standard = json.JSONEncoder(separators=(",", ":"), check_circular=False, default=default)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # a Python without the C accelerator
        return standard.encode
    try:
        # The arguments JSONEncoder.iterencode passes (Python 3.10 to 3.13): markers (None: no
        # circular check), default, string encoder, indent, key and item separators, sort_keys,
        # skipkeys, allow_nan.
        encoder = make(None, standard.default, json.encoder.encode_basestring_ascii, None, ":", ",",
                       False, False, True)

        def encode(value: Any) -> str:
            return "".join(encoder(value, 0))

        if encode(_SAMPLE) != standard.encode(_SAMPLE):
            return standard.encode
    except Exception:  # another signature in a later Python: the standard way, a little slower
        return standard.encode
    return encode
