"""Grip-Sig: who may hand a reader to a GRIP proxy — Pushpin's HS256 secret, or Fastly Fanout's ES256 public key.

A request the proxy did not sign must be streamed by the edge (never held): the GRIP specification says a backend
treats an unverifiable signature as absent. The Pushpin tests (tests/deploy/test_grip.py) show the HS256 path end to
end; here each check is tried with tokens we sign ourselves, including the classic JWT forgeries.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from dateline.live.grip import signed


def _part(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _scope(token: str) -> dict[str, object]:
    return {"type": "http", "headers": [(b"grip-sig", token.encode())]}


def hs256(secret: bytes, claims: dict[str, object], alg: str = "HS256") -> str:
    head = f"{_part({'alg': alg, 'typ': 'JWT'})}.{_part(claims)}"
    return f"{head}.{_b64(hmac.new(secret, head.encode(), hashlib.sha256).digest())}"


def es256(private: ec.EllipticCurvePrivateKey, claims: dict[str, object]) -> str:
    head = f"{_part({'alg': 'ES256', 'typ': 'JWT'})}.{_part(claims)}"
    r, s = decode_dss_signature(private.sign(head.encode(), ec.ECDSA(hashes.SHA256())))
    return f"{head}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def pem(private: ec.EllipticCurvePrivateKey) -> str:
    return private.public_key().public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def later() -> dict[str, object]:
    return {"iss": "pushpin", "exp": int(time.time()) + 60}


def test_an_hs256_token_with_our_secret_is_signed_and_others_are_not(settings):
    settings.DATELINE_GRIP_KEY = "changeme-grip-secret"
    assert signed(_scope(hs256(b"changeme-grip-secret", later())))
    assert not signed(_scope(hs256(b"another-secret", later())))
    assert not signed(_scope(hs256(b"changeme-grip-secret", {"exp": int(time.time()) - 1})))  # expired
    assert not signed(_scope(hs256(b"changeme-grip-secret", {"iss": "pushpin"})))  # no expiry at all
    assert not signed({"type": "http", "headers": []})
    settings.DATELINE_GRIP_KEY = "base64:" + base64.b64encode(b"\x00binary\xff").decode()
    assert signed(_scope(hs256(b"\x00binary\xff", later())))


def test_an_es256_token_is_checked_with_the_public_key_as_fastly_fanout_signs(settings):
    ours, theirs = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    settings.DATELINE_GRIP_KEY = pem(ours)
    assert signed(_scope(es256(ours, later())))
    assert not signed(_scope(es256(theirs, later())))
    assert not signed(_scope(es256(ours, {"exp": int(time.time()) - 1})))
    head, claims, signature = es256(ours, later()).split(".")
    assert not signed(_scope(f"{head}.{_part({'exp': int(time.time()) + 3600})}.{signature}"))  # claims changed
    # An environment file holds the key on one line, with its newlines written as \n.
    settings.DATELINE_GRIP_KEY = pem(ours).replace("\n", "\\n")
    assert signed(_scope(es256(ours, later())))


@pytest.mark.parametrize("forgery", ["hs256-with-public-key", "alg-none", "es256-against-secret", "garbage"])
def test_forged_tokens_are_never_signed(settings, forgery):
    key = ec.generate_private_key(ec.SECP256R1())
    public = pem(key)
    if forgery == "hs256-with-public-key":  # the textbook confusion: the public key used as an HMAC secret
        settings.DATELINE_GRIP_KEY = public
        token = hs256(public.encode(), later())
    elif forgery == "alg-none":
        settings.DATELINE_GRIP_KEY = "changeme-grip-secret"
        token = f"{_part({'alg': 'none'})}.{_part(later())}."
    elif forgery == "es256-against-secret":
        settings.DATELINE_GRIP_KEY = "changeme-grip-secret"
        token = es256(key, later())
    else:
        settings.DATELINE_GRIP_KEY = public
        token = "not.a.jwt-at-all!"
    assert not signed(_scope(token))
