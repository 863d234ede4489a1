"""The ROCA fingerprint (CVE-2017-15361): is an RSA modulus one that Infineon's RSALib made?

An RSALib prime is ``k*M + (65537**a mod M)`` with ``M`` the product of the primes up to
167, so the product of two such primes is a power of 65537 modulo ``M``. This module tests
exactly that, the "discrete logarithm" form of the published test (crocs-muni/roca):

* modulo each prime ``p`` of ``M``, the modulus must be a power of 65537, with an exponent
  known modulo the order of 65537 mod ``p``;
* those exponents must agree: one exponent ``x`` must satisfy every congruence at once
  (checked with the Chinese remainder theorem for moduli that are not coprime).

The first condition alone is the older, cheaper "residue" test. It also accepts moduli built
to pass it without the structure (the upstream tests ship ten); the second rejects them. A
random modulus passes by chance with a probability far below 2**-40.
"""

from __future__ import annotations

import math

GENERATOR = 65537
#: The primes whose product is M (M = 2 * ... * 167 / 2: the test uses the odd ones).
PRIMES: tuple[int, ...] = tuple(p for p in range(3, 168) if all(p % d for d in range(2, math.isqrt(p) + 1)))


def _logarithms(p: int) -> tuple[int, dict[int, int]]:
    """The order of 65537 modulo ``p``, and the exponent of each of its powers."""
    table: dict[int, int] = {}
    value, exponent = 1, 0
    while value not in table:
        table[value] = exponent
        value = value * GENERATOR % p
        exponent += 1
    return exponent, table


_TABLES: tuple[tuple[int, int, dict[int, int]], ...] = tuple((p, *_logarithms(p)) for p in PRIMES)


def _merge(known: tuple[int, int] | None, congruence: tuple[int, int]) -> tuple[int, int] | None:
    """Combine x = a (mod m) with x = b (mod n); None when no x satisfies both."""
    if known is None:
        return None
    (a, m), (b, n) = known, congruence
    g = math.gcd(m, n)
    if (b - a) % g:
        return None
    step = (b - a) // g * pow(m // g, -1, n // g) % (n // g)
    lcm = m // g * n
    return (a + m * step) % lcm, lcm


def has_roca_fingerprint(modulus: int) -> bool:
    """Whether an RSA modulus has the ROCA fingerprint: a power of 65537 modulo M."""
    congruences = []
    for p, order, logs in _TABLES:
        exponent = logs.get(modulus % p)
        if exponent is None:  # most moduli stop here, within the first few primes
            return False
        congruences.append((exponent, order))
    known: tuple[int, int] | None = (0, 1)
    for congruence in congruences:
        known = _merge(known, congruence)
    return known is not None
