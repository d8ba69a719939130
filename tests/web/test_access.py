"""Access tokens: made and checked (salted scrypt, only the hash stored), revoked; a
server on loopback lets anyone write; one listening beyond it refuses every write
(saving, feedback, jobs) without a valid token, by bearer header or the /access
sign-in cookie, while reading and plain analysis stay open.  Over SQLite and
PostgreSQL; and ``propscope token create/list/revoke``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from propscope.cli.app import main
from propscope.store import Store, open_store
from propscope.web.access import create_token, is_loopback, verify
from tests.web.conftest import client_for

FEEDBACK = {"text_id": 1, "verdict": "missing", "quote": "Story number", "technique": "Doubt"}


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("[::1]", True),
    ("localhost", True), ("0.0.0.0", False), ("::", False), ("192.168.1.5", False),
    ("", False), ("example.org", False)])
def test_loopback_is_told_apart(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_a_token_verifies_until_revoked_and_only_its_hash_is_kept(filled: Store) -> None:
    token_id, token = create_token(filled, "  Alice\n ")
    assert re.fullmatch(rf"ps_{token_id}_[A-Za-z0-9_-]{{43}}", token)
    found = verify(filled, token)
    assert found is not None and found.name == "Alice"
    secret = token.split("_", 2)[2]
    assert secret.encode() not in found.hash + found.salt and len(found.salt) == 16
    other_id, other = create_token(filled, "Bob")
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (tampered, f"ps_{other_id}_{token.split('_', 2)[2]}", "ps_999_" + "a" * 43,
                "", "Bearer x", token + "x", "ps_0_" + "a" * 43):
        assert verify(filled, bad) is None, bad
    assert filled.revoke_token(token_id) and not filled.revoke_token(token_id)
    assert verify(filled, token) is None and verify(filled, other) is not None


def test_on_loopback_writes_need_no_token(filled: Store) -> None:
    with client_for(filled, host="127.0.0.1") as c:
        assert c.post("/api/v1/feedback", json=FEEDBACK).status_code == 201


def test_beyond_loopback_every_write_needs_a_token(filled: Store) -> None:
    _, token = create_token(filled, "writer")
    revoked_id, revoked = create_token(filled, "gone")
    filled.revoke_token(revoked_id)
    with client_for(filled, host="0.0.0.0") as c:
        # Reading and a plain analysis stay open.
        assert c.get("/api/v1/documents").status_code == 200
        assert c.get("/documents/1").status_code == 200
        assert c.post("/api/v1/analyze", json={"text": "A heinous plot."}).status_code == 200
        csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/").text)[1]  # type: ignore[index]
        writes = [
            lambda h: c.post("/api/v1/feedback", json=FEEDBACK, headers=h),
            lambda h: c.post("/api/v1/jobs", json={"kind": "analyze"}, headers=h),
            lambda h: c.post("/save", data={"text": "A heinous plot.", "csrf": csrf},
                             headers=h, follow_redirects=False),
            lambda h: c.post("/documents/1/feedback", headers=h, follow_redirects=False,
                             data={"quote": "Story", "technique": "Doubt", "csrf": csrf}),
        ]
        for write in writes:
            for headers in ({}, {"Authorization": f"Bearer {revoked}"},
                            {"Authorization": "Bearer ps_1_" + "x" * 43},
                            {"Authorization": f"Basic {token}"}):
                r = write(headers)
                assert r.status_code == 403 and "PS403" in r.text, (headers, r.text)
        assert filled.feedback() == []
        good = {"Authorization": f"Bearer {token}"}
        assert [write(good).status_code for write in writes] == [201, 202, 303, 303]
        assert len(filled.feedback()) == 2


def test_a_browser_signs_in_once_with_a_cookie(filled: Store) -> None:
    _, token = create_token(filled, "browser")
    with client_for(filled, host="0.0.0.0") as c:
        page = c.get("/access").text
        assert "listens beyond this machine" in page
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)[1]  # type: ignore[index]
        form = {"quote": "Story", "technique": "Doubt", "csrf": csrf}
        assert c.post("/documents/1/feedback", data=form).status_code == 403
        assert c.post("/access", data={"token": token}).status_code == 403  # no CSRF token
        assert c.post("/access", data={"token": "ps_1_" + "y" * 43, "csrf": csrf}
                      ).status_code == 403
        r = c.post("/access", data={"token": token, "csrf": csrf}, follow_redirects=False)
        assert r.status_code == 303
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert "This browser holds a token" in c.get("/access").text
        assert c.post("/documents/1/feedback", data=form, follow_redirects=False
                      ).status_code == 303
        c.post("/access", data={"sign_out": "1", "csrf": csrf})
        assert c.post("/documents/1/feedback", data=form).status_code == 403
    assert len(filled.feedback()) == 1


def test_the_token_command_creates_lists_and_revokes(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "t.db")
    assert main(["token", "create", "--db", db, "--name", "ci"]) == 0
    out = capsys.readouterr()
    token = out.out.strip()
    assert token.startswith("ps_1_") and "shown only now" in out.err
    assert main(["token", "list", "--db", db]) == 0
    listed = capsys.readouterr().out
    assert "ci" in listed and "live" in listed and token.split("_", 2)[2] not in listed
    with open_store(db) as store:
        assert verify(store, token) is not None
    assert main(["token", "revoke", "1", "--db", db]) == 0
    assert main(["token", "revoke", "1", "--db", db]) == 2
    assert main(["token", "create", "--db", db, "--name", "  "]) == 2
    assert main(["token", "list", "--db", db, "--format", "json"]) == 0
    assert '"revoked": "20' in capsys.readouterr().out
    with open_store(db) as store:
        assert verify(store, token) is None
    assert token.split("_", 2)[2].encode() not in Path(db).read_bytes()
