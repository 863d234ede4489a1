"""``python -m iot_audit_fake``: the ``iot-audit-fake`` command."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
