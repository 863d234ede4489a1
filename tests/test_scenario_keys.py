"""Scenario certificates' key pairs: one per certificate unless a ``share`` names one, never kept between loads."""

from __future__ import annotations

from typing import Any

from conftest import client
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec

from iot_audit_fake import ScenarioError, dump_scenario, load_scenario, mock_iot_audit

REGION = "us-east-1"


def pems_by_subject() -> dict[str, x509.Certificate]:
    """Every certificate moto holds (device and CA, as dump_scenario reads them), by subject."""
    found = {}
    dumped = dump_scenario()
    for entry in [*dumped.get("certificates", []), *dumped.get("ca_certificates", [])]:
        certificate = x509.load_pem_x509_certificate(entry["pem"].encode())
        found[certificate.subject.rfc4514_string()] = certificate
    return found


def public_numbers(certificate: x509.Certificate) -> Any:
    return certificate.public_key().public_numbers()  # type: ignore[union-attr]


def test_each_certificate_gets_its_own_key_pair():
    scenario = {"certificates": [{"name": f"c{i}", "subject": f"device-{i}"} for i in range(3)]}
    with mock_iot_audit():
        load_scenario(scenario)
        certificates = pems_by_subject()
    assert len(certificates) == 3
    assert len({public_numbers(c) for c in certificates.values()}) == 3


def test_certificates_naming_one_share_use_one_key_pair():
    shared = {"type": "ec", "curve": "secp384r1", "share": "fleet"}
    scenario = {"certificates": [
        {"name": "a", "subject": "a", "key": shared},
        {"name": "b", "subject": "b", "key": shared},
        {"name": "c", "subject": "c", "key": {"type": "ec", "curve": "secp384r1"}},
    ]}
    with mock_iot_audit():
        load_scenario(scenario)
        certificates = pems_by_subject()
    assert public_numbers(certificates["CN=a"]) == public_numbers(certificates["CN=b"])
    assert public_numbers(certificates["CN=c"]) != public_numbers(certificates["CN=a"])
    assert isinstance(certificates["CN=a"].public_key(), ec.EllipticCurvePublicKey)
    assert certificates["CN=a"].public_key().curve.name == "secp384r1"  # type: ignore[union-attr]


def test_a_share_given_with_another_spec_is_refused_and_nothing_is_loaded():
    scenario = {"certificates": [
        {"name": "a", "key": {"type": "ec", "share": "fleet"}},
        {"name": "b", "key": {"type": "rsa", "size": 2048, "share": "fleet"}},
    ]}
    with mock_iot_audit():
        try:
            load_scenario(scenario)
        except ScenarioError as error:
            (message,) = error.messages
        else:
            raise AssertionError("a share with two specs was accepted")
        assert client("iot", region=REGION).list_certificates()["certificates"] == []
    assert "certificates[1].key" in message
    assert "fleet" in message and "RSA-2048" in message


def test_no_key_outlives_a_load():
    """Two loads of the same shared-key scenario, even in one mock, get different key pairs."""
    scenario = {"certificates": [{"name": "a", "subject": "a", "key": {"share": "fleet"}}]}
    seen = []
    with mock_iot_audit():
        load_scenario(scenario)
        seen.append(public_numbers(pems_by_subject()["CN=a"]))
    with mock_iot_audit():
        load_scenario(scenario)
        seen.append(public_numbers(pems_by_subject()["CN=a"]))
    assert seen[0] != seen[1]


def test_scenario_cas_of_one_spec_sign_with_different_keys():
    """A device signed by one CA does not verify against another CA of the same key spec, so the
    checks that follow chains by signature tell the scenario's CAs apart."""
    scenario = {
        "ca_certificates": [{"name": "ca-1", "subject": "CA one"}, {"name": "ca-2", "subject": "CA two"}],
        "certificates": [{"name": "device", "subject": "device", "issuer": "ca-2"}],
    }
    with mock_iot_audit():
        load_scenario(scenario)
        certificates = pems_by_subject()
    device = certificates["CN=device"]
    device.verify_directly_issued_by(certificates["CN=CA two"])
    other = certificates["CN=CA one"]
    try:
        device.verify_directly_issued_by(other)
    except (ValueError, InvalidSignature):  # issuer name differs: ValueError; the signature: InvalidSignature
        pass
    else:
        raise AssertionError("a device verified against a CA that did not sign it")
    assert public_numbers(other) != public_numbers(certificates["CN=CA two"])
