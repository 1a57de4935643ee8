"""HMAC signing against vectors computed by hand (``printf ... | openssl dgst -sha256 -hmac``),
for the hub's client and the portal simulator alike, and the secret file's permission check."""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

import pytest

from hubd.classes.transactions import signing
from hubd.errors import ConfigError
from kioskhub.simulators.portal import signing as sim_signing

SECRET = b"kiosk-secret-0123456789abcdef"
PAY_BODY = b'{"amount_paise":5000}'
# The canonical strings, written out from docs/portal-protocol.md (not produced by the code).
PAY_CANONICAL = (
    b"KH-PORTAL-HMAC-SHA256\nPOST\n/v1/pay\n\nd35k1111\n1767258000\n00112233445566778899aabbccddeeff\n"
    b"tok-123\n3ad6158ae1b41d4c7088845dd20305eabc399f4ad91884682d4b56d1c4d2937e"
)
# openssl dgst -sha256 -hmac 'kiosk-secret-0123456789abcdef' over the strings above / below:
PAY_SIGNATURE = "3ebed237395e7239ddc726006221ac9d6859fc5ae0fcc93247e326aa3686f697"
STATEMENT_SIGNATURE = "932cf16289eb3268047d2cbfd08e49a1788e530c3db0ea362669fb9ee3fa4e0e"
LOGIN_SIGNATURE = "f069480d5cffbe6379a80633a121edba5f4d5d2fe2f5f604e9d773a15b35ceb1"
REPLY_SIGNATURE = "437532a8e8363c8e483e2d426b8e7212b096c13936559832ccb03dace7a52d41"


def test_body_hash_is_sha256_hex() -> None:
    assert signing.body_sha256(PAY_BODY) == "3ad6158ae1b41d4c7088845dd20305eabc399f4ad91884682d4b56d1c4d2937e"
    assert signing.body_sha256(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_request_vector_pay() -> None:
    canonical = signing.canonical_request(
        "post", "/v1/pay", "", "d35k1111", 1767258000, "00112233445566778899aabbccddeeff", "tok-123", PAY_BODY
    )
    assert canonical == PAY_CANONICAL
    assert hmac.new(SECRET, PAY_CANONICAL, hashlib.sha256).hexdigest() == PAY_SIGNATURE  # the vector itself
    assert signing.sign(SECRET, canonical) == PAY_SIGNATURE
    assert signing.signature_matches(SECRET, canonical, PAY_SIGNATURE.upper())
    assert not signing.signature_matches(b"another-secret-0123456789", canonical, PAY_SIGNATURE)


def test_request_vectors_get_with_query_and_login_without_token() -> None:
    stmt = signing.canonical_request(
        "GET",
        "/v1/statement",
        "date=2026-01-01",
        "d35k1111",
        1767258000,
        "ffeeddccbbaa99887766554433221100",
        "tok-123",
        b"",
    )
    assert signing.sign(SECRET, stmt) == STATEMENT_SIGNATURE
    login = signing.canonical_request(
        "POST",
        "/v1/login",
        "",
        "d35k1111",
        1767258000,
        "00000000000000000000000000000001",
        "",
        b'{"kiosk_id":"d35k1111"}',
    )
    assert signing.sign(SECRET, login) == LOGIN_SIGNATURE


def test_response_vector() -> None:
    canonical = signing.canonical_response(
        200,
        "00112233445566778899aabbccddeeff",
        "d35k1111",
        "1767258001",
        "0123456789abcdef0123456789abcdef",
        b'{"ok":true}',
    )
    assert signing.sign(SECRET, canonical) == REPLY_SIGNATURE


def test_the_simulator_signs_the_same_vectors() -> None:
    text = sim_signing.request_string(
        "POST",
        "/v1/pay",
        "",
        "d35k1111",
        "1767258000",
        "00112233445566778899aabbccddeeff",
        "tok-123",
        PAY_BODY,
    )
    assert text == PAY_CANONICAL and sim_signing.sign(SECRET, text) == PAY_SIGNATURE
    reply = sim_signing.response_string(
        200,
        "00112233445566778899aabbccddeeff",
        "d35k1111",
        "1767258001",
        "0123456789abcdef0123456789abcdef",
        b'{"ok":true}',
    )
    assert sim_signing.sign(SECRET, reply) == REPLY_SIGNATURE


def _secret_file(tmp_path: Path, content: bytes, mode: int) -> Path:
    path = tmp_path / "portal.secret"
    path.write_bytes(content)
    path.chmod(mode)
    return path


def test_secret_file_readable_only_by_the_daemon(tmp_path: Path) -> None:
    path = _secret_file(tmp_path, SECRET + b"\n", 0o600)
    assert signing.load_secret(path) == SECRET
    path.chmod(0o400)
    assert signing.load_secret(path) == SECRET


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o602, 0o666])
def test_secret_file_open_to_group_or_others_is_refused(tmp_path: Path, mode: int) -> None:
    path = _secret_file(tmp_path, SECRET, mode)
    with pytest.raises(ConfigError, match=r"chmod 600") as err:
        signing.load_secret(path)
    assert err.value.metadata["key"] == "transactions.secret_file" and str(path) in err.value.message


def test_secret_file_missing_short_or_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="No such file"):
        signing.load_secret(tmp_path / "absent")
    with pytest.raises(ConfigError, match="shorter than 16"):
        signing.load_secret(_secret_file(tmp_path, b"  short \n", 0o600))
    link = tmp_path / "link"
    os.symlink(_secret_file(tmp_path, SECRET, 0o600), link)
    with pytest.raises(ConfigError):
        signing.load_secret(link)  # a symlink could point anywhere: refused
    with pytest.raises(ConfigError, match="not a regular file"):
        signing.load_secret(tmp_path)
