"""The key-quality checks: check-triggers.md §4 CA_CERTIFICATE_KEY_QUALITY_CHECK and
§8 DEVICE_CERTIFICATE_KEY_QUALITY_CHECK.

ROCA (CVE-2017-15361) is tested against independent data: the public test vectors of the ROCA authors
(crocs-muni/roca, MIT licence) in tests/data/roca, positive and negative, including moduli built to pass
the per-prime residue test without the RSALib structure. What is and is not detected: docs/key-quality.md.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from certificate_audits import (
    CA_KEY,
    DEBIAN,
    KEY,
    ROCA,
    assert_result,
    findings,
    register_ca,
    register_device,
    run,
)
from certs import (
    Issued,
    data_file,
    dsa_key,
    ec_key,
    make_ca,
    make_device,
    rsa_key,
    rsa_public_key_from_modulus,
)
from conftest import backend
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from iot_audit_fake.checks.catalogue import CHECKS
from iot_audit_fake.checks.roca import has_roca_fingerprint

VECTORS = json.loads(data_file("roca", "moduli.json").read_text())
POSITIVE = {name: int(value, 16) for name, value in VECTORS["positive_hex"].items()}
NEGATIVE = {name: int(value, 16) for name, value in VECTORS["negative_hex"].items()}
RESIDUE_ONLY = [int(value) for value in VECTORS["residue_only_decimal"]]


def _public_key(name: str) -> Any:
    return serialization.load_pem_public_key(data_file("roca", f"{name}.pem").read_bytes())


def _certificate_pem(name: str) -> str:
    return data_file("roca", f"{name}.pem").read_text()


@pytest.fixture(scope="module")
def root() -> Issued:
    return make_ca("Key Quality Root")


# -- the fingerprint against the published vectors ------------------------------------------------


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_s4_published_roca_moduli_are_detected(name):
    assert has_roca_fingerprint(POSITIVE[name])


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_s4_published_clean_moduli_are_not(name):
    assert not has_roca_fingerprint(NEGATIVE[name])


@pytest.mark.parametrize("index", range(len(RESIDUE_ONLY)))
def test_s4_moduli_with_only_the_residues_are_not(index):
    # Built to pass the per-prime residue test without being a power of 65537 modulo the primorial.
    assert not has_roca_fingerprint(RESIDUE_ONLY[index])


def test_s4_published_public_keys():
    assert has_roca_fingerprint(_public_key("pubkey03").public_numbers().n)
    assert not has_roca_fingerprint(_public_key("pubkey01").public_numbers().n)


def test_s4_freshly_generated_keys_are_clean():
    for bits in (1024, 2048):
        assert not has_roca_fingerprint(rsa_key(bits).public_key().public_numbers().n)


# -- §8 DEVICE_CERTIFICATE_KEY_QUALITY_CHECK through boto3 ------------------------------------------


@pytest.mark.parametrize("name", ["cert04", "cert05"])
def test_s8_published_roca_certificates_are_non_compliant(iot, name):
    cert_id = register_device(iot, _certificate_pem(name))
    task_id, detail = run(iot, KEY)
    assert_result(detail, total=1, noncompliant=1)
    [finding] = findings(iot, task_id)
    assert finding["severity"] == "CRITICAL"
    assert finding["reasonForNonComplianceCode"] == ROCA
    assert finding["reasonForNonCompliance"]
    assert finding["nonCompliantResource"]["resourceType"] == "DEVICE_CERTIFICATE"
    assert finding["nonCompliantResource"]["resourceIdentifier"] == {"deviceCertificateId": cert_id}
    assert not finding["nonCompliantResource"].get("additionalInfo")
    assert not finding.get("relatedResources")


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_s8_device_certificate_for_a_published_roca_modulus(iot, root, name):
    register_device(iot, make_device(root, public_key=rsa_public_key_from_modulus(POSITIVE[name])))
    task_id, detail = run(iot, KEY)
    assert_result(detail, total=1, noncompliant=1)
    assert findings(iot, task_id)[0]["reasonForNonComplianceCode"] == ROCA


def test_s8_published_clean_certificate_is_compliant(iot):
    register_device(iot, _certificate_pem("cert03"))
    assert_result(run(iot, KEY)[1], total=1, noncompliant=0)


CLEAN_KEYS = {
    # §4: key length is no reason code (AWS refuses RSA < 2048 at registration); only the two CVEs are.
    "rsa-1024": lambda: rsa_key(1024).public_key(),
    "rsa-2048": lambda: rsa_key(2048).public_key(),
    "ec-secp192r1": lambda: ec_key("secp192r1").public_key(),
    "ec-secp256r1": lambda: ec_key("secp256r1").public_key(),
    "ec-secp384r1": lambda: ec_key("secp384r1").public_key(),
    "dsa-1024": lambda: dsa_key().public_key(),
    "residue-only-modulus": lambda: rsa_public_key_from_modulus(RESIDUE_ONLY[0]),
}


@pytest.mark.parametrize("name", sorted(CLEAN_KEYS))
def test_s8_keys_without_a_detectable_cve_are_compliant(iot, root, name):
    register_device(iot, make_device(root, public_key=CLEAN_KEYS[name]()))
    task_id, detail = run(iot, KEY)
    assert_result(detail, total=1, noncompliant=0)
    assert findings(iot, task_id) == []


def test_s8_a_key_inside_an_extension_is_not_the_certificates_key(iot, root):
    # An extension carrying a ROCA public key must not make a clean certificate key vulnerable.
    embedded = _public_key("pubkey03").public_bytes(serialization.Encoding.DER,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo)
    extension = x509.UnrecognizedExtension(x509.ObjectIdentifier("2.5.29.72"), embedded)
    register_device(iot, make_device(root, public_key=rsa_key(2048).public_key(), extensions=(extension,)))
    assert_result(run(iot, KEY)[1], total=1, noncompliant=0)


def test_s8_only_active_and_pending_transfer_device_certificates_are_examined(iot, root):
    roca = rsa_public_key_from_modulus(POSITIVE["mod03"])
    for status in ("ACTIVE", "PENDING_TRANSFER", "INACTIVE", "REVOKED"):
        register_device(iot, make_device(root, status, public_key=roca), status=status)
    assert_result(run(iot, KEY)[1], total=2, noncompliant=2)


def test_s8_debian_weak_key_code_is_never_produced_by_evaluation():
    # CVE-2008-0166 stays a valid reason code of both checks (seeded observations can use it), but the
    # fake cannot detect it: see docs/key-quality.md.
    for check in (KEY, CA_KEY):
        assert "CERTIFICATE_KEY_VULNERABILITY_CVE-2008-0166" in CHECKS[check].reason_codes


# -- §4 CA_CERTIFICATE_KEY_QUALITY_CHECK --------------------------------------------------------------


def test_s4_ca_with_a_roca_key(iot):
    roca_ca = _certificate_pem("cert04")  # self-signed, so it registers as a CA
    ca_id = register_ca(iot, roca_ca)
    register_ca(iot, make_ca("Strong CA"))
    register_device(iot, _certificate_pem("cert05"))  # a device certificate: not this check's
    task_id, detail = run(iot, CA_KEY)
    assert_result(detail, total=2, noncompliant=1)
    [finding] = findings(iot, task_id)
    assert finding["severity"] == "CRITICAL"
    assert finding["reasonForNonComplianceCode"] == ROCA
    assert finding["nonCompliantResource"]["resourceType"] == "CA_CERTIFICATE"
    assert finding["nonCompliantResource"]["resourceIdentifier"] == {"caCertificateId": ca_id}


def test_s4_inactive_ca_is_not_examined(iot):
    register_ca(iot, _certificate_pem("cert05"), active=False)
    register_ca(iot, make_ca("Weak but clean CA", key=rsa_key(1024)))
    assert_result(run(iot, CA_KEY)[1], total=1, noncompliant=0)


def test_s8_a_debian_weak_key_finding_can_be_seeded(iot, root):
    # The documented way (docs/key-quality.md) to get the code the fake cannot detect.
    cert_id = register_device(iot, make_device(root, public_key=rsa_key(2048).public_key()))
    backend().seed_observation(KEY, {"deviceCertificateId": cert_id}, reason_code=DEBIAN)
    task_id, detail = run(iot, KEY)
    assert detail["nonCompliantResourcesCount"] == 1
    [finding] = findings(iot, task_id)
    assert finding["reasonForNonComplianceCode"] == DEBIAN
    assert finding["nonCompliantResource"]["resourceIdentifier"] == {"deviceCertificateId": cert_id}
