"""Files asked to be signed as they are opened (app/desk/sign_on_open.py): whatever the order in
which requests are opened and documents checked, each document asked for is handed to the
signing flow exactly once, all together, and only when every one of them is checked."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from app.desk.documents import DeskDocuments
from app.desk.sign_on_open import SignOnOpen

FILES = [Path(f"/ho-so/van-ban-{n}.pdf") for n in range(4)]


def _check(documents: DeskDocuments, path: Path) -> None:
    row = next(i for i, d in enumerate(documents) if d.path == path)
    documents._items[row] = replace(documents[row], checked=True)


@settings(max_examples=300, deadline=None)
@given(requests=st.lists(st.lists(st.sampled_from(FILES), min_size=1, max_size=3), min_size=1, max_size=3),
       already_open=st.sets(st.sampled_from(FILES)), data=st.data())
def test_every_document_asked_for_is_handed_over_once_all_together_when_all_are_checked(requests, already_open, data):
    documents, asking = DeskDocuments(), SignOnOpen()
    documents.add({path: path for path in sorted(already_open)})
    for path in sorted(already_open):
        _check(documents, path)
    for _ in requests:
        asking.opening()
    events = [("open", i) for i in range(len(requests))]
    wanted = {path for request in requests for path in request}
    events += [("check", path) for path in sorted(wanted - already_open)]
    order = data.draw(st.permutations(events))
    opened: set[int] = set()
    handed: list[list[Path]] = []
    for kind, item in order:
        if kind == "check" and not any(item in requests[i] for i in opened):
            continue  # checked only once opened: done below, after its request
        if kind == "open":
            opened.add(item)
            asking.opened(requests[item])
            documents.add({path: path for path in requests[item]})
        else:
            _check(documents, item)
        handed.append([d.path for d in asking.take_ready(documents)])
    for path in wanted - already_open:  # checks that were waiting for their request to be opened
        _check(documents, path)
        handed.append([d.path for d in asking.take_ready(documents)])
    batches = [batch for batch in handed if batch]
    assert len(batches) == 1 and sorted(batches[0]) == sorted(wanted)
    assert not asking.waiting and asking.take_ready(documents) == []


def test_a_request_that_could_not_be_opened_does_not_hold_the_others():
    documents, asking = DeskDocuments(), SignOnOpen()
    asking.opening()
    asking.opening()
    asking.open_failed()
    assert asking.waiting and asking.take_ready(documents) == []
    asking.opened([FILES[0]])
    documents.add({FILES[0]: FILES[0]})
    assert asking.take_ready(documents) == []  # not checked yet
    _check(documents, FILES[0])
    assert [d.path for d in asking.take_ready(documents)] == [FILES[0]]
