"""Feedback on spans over SQLite and PostgreSQL: marking a shown span right or wrong,
adding a missed one by its words, the page's CSRF-protected form, the listing, the
SemEval export (the latest verdict deciding), and what is refused: unknown documents,
spans the detector never gave, offsets outside the text, a read-only server."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx import Response
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from propscope.semeval.formats import parse_line
from propscope.store import Store
from tests.web.conftest import client_for

DETECTOR = "lexicon-test.v1"


def _span(store: Store, text_id: int = 1, word: str = "imperialist") -> tuple[int, int]:
    text = store.get_text(text_id).document.text  # type: ignore[union-attr]
    start = text.index(word)
    return start, start + len(word)


def _post(client: TestClient, **body: object) -> Response:
    return client.post("/api/v1/feedback", json=body)


def test_verdicts_are_stored_with_who_and_when_and_listed(client: TestClient,
                                                          filled: Store) -> None:
    start, end = _span(filled)
    r = _post(client, text_id=1, verdict="right", start=start, end=end,
              technique="Loaded_Language", detector=DETECTOR, reader="  Ana\u202e\x00 ")
    assert r.status_code == 201, r.text
    saved = r.json()
    assert saved["reader"] == "Ana" and saved["created"].startswith("20")
    r = _post(client, text_id=1, verdict="missing", quote="staged a heinous provocation",
              technique="loaded-language")
    assert r.status_code == 201, r.text
    missing = r.json()
    text = filled.get_text(1).document.text  # type: ignore[union-attr]
    assert text[missing["start"]:missing["end"]] == "staged a heinous provocation"
    assert missing["reader"] == "anonymous" and missing["detector"] is None
    listed = client.get("/api/v1/feedback", params={"text_id": 1}).json()["feedback"]
    assert [f["verdict"] for f in listed] == ["right", "missing"]
    assert client.get("/api/v1/feedback", params={"text_id": 2}).json()["feedback"] == []


def test_export_is_semeval_spans_and_the_latest_verdict_decides(client: TestClient,
                                                                filled: Store) -> None:
    start, end = _span(filled, 2, "puppet")
    judged = {"text_id": 2, "start": start, "end": end, "technique": "Loaded_Language",
                  "detector": DETECTOR}
    assert _post(client, verdict="right", **judged).status_code == 201
    h_start, h_end = _span(filled, 3, "heinous")
    assert _post(client, text_id=3, verdict="wrong", start=h_start, end=h_end,
                 technique="Loaded_Language", detector=DETECTOR).status_code == 201
    assert _post(client, text_id=1, verdict="missing", quote="Workers in county 1",
                 technique="Flag-Waving").status_code == 201
    r = client.get("/api/v1/feedback/export")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    labels = [parse_line(line) for line in r.text.splitlines()]
    assert [(x.article_id, x.technique) for x in labels] == [  # type: ignore[union-attr]
        ("1", "Flag-Waving"), ("2", "Loaded_Language")]
    assert (labels[1].start, labels[1].end) == (start, end)  # type: ignore[union-attr]
    rejected = client.get("/api/v1/feedback/export", params={"verdict": "rejected"}).text
    assert rejected == f"3\tLoaded_Language\t{h_start}\t{h_end}\n"
    # A later "wrong" on the same span overrules the "right".
    assert _post(client, verdict="wrong", **judged).status_code == 201
    assert "2\t" not in client.get("/api/v1/feedback/export").text
    si = client.get("/api/v1/feedback/export", params={"shape": "si"}).text
    assert si.splitlines()[0].split("\t")[0] == "1" and len(si.splitlines()[0].split("\t")) == 3


def test_bad_feedback_is_refused_with_its_reason(client: TestClient, filled: Store) -> None:
    start, end = _span(filled)
    good = {"text_id": 1, "verdict": "right", "start": start, "end": end,
                "technique": "Loaded_Language", "detector": DETECTOR}
    cases = [
        ({**good, "text_id": 999}, 404),
        ({**good, "detector": "other.v1"}, 400),          # no such span by that detector
        ({**good, "start": start + 1}, 400),              # offsets of no span
        ({**good, "technique": "Doubt"}, 400),            # the span has another technique
        ({**good, "technique": "Nope"}, 400),
        ({**good, "verdict": "maybe"}, 400),
        ({**good, "start": 0, "end": 10**6, "verdict": "missing"}, 400),  # past the text
        ({**good, "start": 5, "end": 5, "verdict": "missing"}, 400),
        ({"text_id": 1, "verdict": "missing", "start": 0, "end": 5}, 400),  # no technique
        ({"text_id": 1, "verdict": "missing", "quote": "not in it", "technique": "Doubt"}, 400),
        ({"text_id": 1, "verdict": "missing", "quote": "Story", "start": 0,
          "technique": "Doubt"}, 400),
        ({"text_id": 1, "verdict": "right"}, 400),
    ]
    for body, status in cases:
        r = _post(client, **body)
        assert r.status_code == status, (body, r.text)
        assert set(r.json()) == {"code", "message", "fix"}
    assert filled.feedback() == []


def _csrf(client: TestClient, text_id: int) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(f"/documents/{text_id}").text)
    assert found
    return found[1]


def test_the_document_page_takes_feedback_through_its_forms(client: TestClient,
                                                            filled: Store) -> None:
    page = client.get("/documents/1").text
    assert 'id="feedback"' in page and "No feedback yet." in page
    marks = re.findall(r'name="mark" value="([^"]+)"', page)
    assert marks and all(m.split("|")[0] in ("right", "wrong") for m in marks)
    token = _csrf(client, 1)
    r = client.post("/documents/1/feedback", data={"mark": marks[0], "detector": DETECTOR,
                                                   "csrf": "x" * 43})
    assert r.status_code == 403 and filled.feedback() == []
    r = client.post("/documents/1/feedback", data={"mark": marks[0], "detector": DETECTOR,
                                                   "csrf": token, "reader": "<b>Bo</b>"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("#feedback")
    r = client.post("/documents/1/feedback", data={
        "quote": "pledged to fulfil the plan", "technique": "Slogans", "csrf": token})
    assert r.status_code == 200
    assert "&lt;b&gt;Bo&lt;/b&gt;" in r.text and "<b>Bo</b>" not in r.text
    assert "pledged to fulfil the plan" in r.text and "What readers said (2)" in r.text
    assert [f.verdict for f in filled.feedback(1)] == ["right", "missing"]
    r = client.post("/documents/1/feedback", data={"mark": "right|a|b|c", "csrf": token})
    assert r.status_code == 400


def test_a_read_only_server_shows_feedback_but_refuses_it(filled: Store) -> None:
    start, end = _span(filled)
    filled.add_feedback(1, "missing", start, end, technique="Doubt", detector=None,
                        reader="Cy")
    with client_for(filled, read_only=True) as c:
        page = c.get("/documents/1").text
        assert "Cy" in page and 'name="mark"' not in page and 'id="fb-quote"' not in page
        r = c.post("/api/v1/feedback", json={"text_id": 1, "verdict": "missing",
                                             "start": 0, "end": 5, "technique": "Doubt"})
        assert r.status_code == 403 and r.json()["code"] == "PS403"
        assert c.post("/documents/1/feedback", data={"quote": "Story"}).status_code == 403
        assert c.get("/api/v1/feedback/export").text.startswith("1\tDoubt\t")
    assert len(filled.feedback()) == 1


NASTY = st.one_of(st.text(max_size=40), st.sampled_from([
    "\x00", "' OR 1=1 --", "<script>", "\u202e", "../../etc/passwd", "a" * 2000, "%", "_",
    "Loaded_Language", "lexicon-test.v1", "Story"]))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_feedback_body_makes_a_500(client: TestClient, data: st.DataObject) -> None:
    body: dict[str, object] = {"text_id": data.draw(st.integers(-1, 8)),
                               "verdict": data.draw(st.sampled_from(
                                   ["right", "wrong", "missing", "\x00"]))}
    for name in data.draw(st.lists(st.sampled_from(
            ["reader", "quote", "technique", "detector"]), unique=True)):
        body[name] = data.draw(NASTY)
    if "quote" not in body:
        body["start"], body["end"] = data.draw(st.integers(-1, 300)), data.draw(
            st.integers(-1, 300))
    r = client.post("/api/v1/feedback", json=body)
    assert r.status_code in (201, 400, 404, 413), (body, r.text[:300])
    if r.status_code != 201:
        assert set(r.json()) == {"code", "message", "fix"}
    else:
        assert "\x00" not in r.json()["reader"]


def test_a_span_without_a_technique_can_be_judged(client: TestClient, filled: Store) -> None:
    from propscope.model import AnalysedDocument, Document, Span
    from propscope.web.analysis import save

    doc = Document(text="Only the brave heroes of the plan.", title="SI only")
    text_id = save(filled, AnalysedDocument(doc, [Span(9, 20, None, 0.8, "si-test.v1")],
                                            "si-test.v1", score=0.5))
    page = client.get(f"/documents/{text_id}", params={"detector": "si-test.v1"}).text
    marks = re.findall(r'name="mark" value="([^"]+)"', page)
    assert marks == ["right|9|20|", "wrong|9|20|"]
    r = client.post(f"/documents/{text_id}/feedback", data={
        "mark": marks[1], "detector": "si-test.v1", "csrf": _csrf(client, text_id)})
    assert r.status_code == 200, r.text
    assert [(f.verdict, f.technique) for f in filled.feedback(text_id)] == [("wrong", None)]
    si = client.get("/api/v1/feedback/export", params={"verdict": "rejected", "shape": "si"})
    assert si.text == f"{text_id}\t9\t20\n"
    tc = client.get("/api/v1/feedback/export", params={"verdict": "rejected"})
    assert tc.text == ""  # the TC shape needs a technique
