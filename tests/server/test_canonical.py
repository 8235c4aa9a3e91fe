"""The server's fast paths agree with app.audit.wire, the one definition: the fast shape check is
never looser than wire.check_shape, and hash_matches gives the reference hash's verdict."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.audit import wire
from server.canonical import hash_matches, shape_ok
from tests.support.audit_server import sealed_chain

BASE = sealed_chain("ws-canonical-0001", count=1)[0]
_text = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(["\x00", "\x1f", "\x7f", "\u2028", "𝄞",
                                                                         "\ue000", "\ud800"]), max_size=12)
_scalar = st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70) | st.floats() | _text
_json = st.recursive(_scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
                     max_leaves=8)


@given(name=st.sampled_from(sorted(wire.FIELDS) + ["extra"]), value=_json, drop=st.booleans())
@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
def test_fast_shape_check_is_never_looser(name, value, drop):
    event = dict(BASE)
    if drop and name in event:
        del event[name]
    else:
        event[name] = value
    if shape_ok(event):
        wire.check_shape(event)  # must not raise


@given(data=st.dictionaries(_text, _json, max_size=4), user=_text)
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
def test_hash_verdict_is_the_reference_verdict(data, user):
    event = {**BASE, "data": data, "user_name": user}
    try:
        reference = wire.event_hash(event)
    except Exception:  # noqa: BLE001 — rfc8785 cannot encode it: no hash can match
        reference = None
    if reference is not None:
        assert hash_matches(event, reference)
    assert not hash_matches(event, "0" * 64)


def test_shape_ok_accepts_real_events():
    assert all(shape_ok(event) for event in sealed_chain("ws-canonical-0002", count=20))


# --- hashes wrong in every way the fast path could be fooled (issue 16) -------------------------------
import hashlib as _hashlib  # noqa: E402
import json as _json_module  # noqa: E402

import orjson as _orjson  # noqa: E402
import pytest  # noqa: E402

from server.canonical import reference_hash  # noqa: E402


def _lookalike_hashes(event: dict) -> set[str]:
    """Hashes a careless implementation could compute: sorted by code points (orjson, json), ASCII
    escapes, ints written by Python, floats, with and without the hash member."""
    body = {k: v for k, v in event.items() if k != "hash"}
    found = set()
    for encode in (lambda: _orjson.dumps(body, option=_orjson.OPT_SORT_KEYS),
                   lambda: _orjson.dumps(body, option=_orjson.OPT_SORT_KEYS | _orjson.OPT_NON_STR_KEYS),
                   lambda: _json_module.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(),
                   lambda: _json_module.dumps(body, sort_keys=True, separators=(",", ":")).encode(),
                   lambda: _json_module.dumps(body, sort_keys=True, separators=(",", ":"),
                                              ensure_ascii=False).encode("utf-8", "surrogatepass")):
        try:
            found.add(_hashlib.sha256(encode()).hexdigest())
        except (TypeError, ValueError, _orjson.JSONEncodeError, RecursionError):
            pass
    return found


_key = st.text(alphabet=st.sampled_from(["a", "B", "é", "\x7f", "\u2028", "\ue000", "\uffff", "\U0001f600", "𝄞",
                                         "\U0010ffff", "\ud800", "\\", '"', "\n"]), max_size=3)
_number = (st.integers(min_value=-2**64, max_value=2**64) | st.sampled_from([2**53, 2**53 - 1, -(2**53), 2**53 + 1,
                                                                             -(2**53) + 1, 2**63, 0])
           | st.floats(allow_nan=False) | st.sampled_from([1.0, 0.5, 1e21, 1e-7, -0.0, 5e-324]))
_leaf = st.none() | st.booleans() | _number | _key
_tricky = st.recursive(_leaf, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_key, inner, max_size=3),
                       max_leaves=10)


@given(data=st.dictionaries(_key, _tricky, max_size=5), seq=st.sampled_from([1, 2**53, 2**53 + 1, 2**63 - 1]))
@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
def test_fast_path_never_agrees_where_the_reference_does_not(data, seq):
    event = {**BASE, "data": data, "seq": seq}
    reference = reference_hash(event)
    for stated in _lookalike_hashes(event) | ({reference} if reference else set()):
        assert hash_matches(event, stated) == (stated == reference), (data, stated, reference)


@pytest.mark.parametrize("data", [{"n": 2**53}, {"n": -(2**53)}, {"😀": 1, "\uffff": 2}, {"\U0001f600": {"\ue000": 1}},
                                  {"f": 1.5}, {"f": 1e21}])
def test_the_reviews_cases_are_refused(data):
    event = {**BASE, "data": data}
    orjson_hash = _hashlib.sha256(_orjson.dumps({k: v for k, v in event.items() if k != "hash"},
                                                option=_orjson.OPT_SORT_KEYS)).hexdigest()
    assert hash_matches(event, orjson_hash) == (orjson_hash == reference_hash(event))


@given(data=st.dictionaries(_key, _tricky, max_size=5), seq=st.sampled_from([1, 2**53, 2**53 + 1]),
       name=st.sampled_from(sorted(wire.FIELDS) + ["extra"]), value=_json)
@settings(max_examples=800, deadline=None, suppress_health_check=list(HealthCheck))
def test_inspect_agrees_with_the_slow_walks(data, seq, name, value):
    """inspect's fast-domain verdict implies plain data (so shape_ok may skip its walk), and the
    sealed short way gives the generic walk's verdicts."""
    from server.canonical import EventLimits, _walk, inspect

    for event in ({**BASE, "data": data, "seq": seq}, {**BASE, name: value}):
        excess, fast = inspect(event, EventLimits())
        generic = _walk(event, EventLimits())
        assert (not fast or generic[1]) and (excess is None) == (generic[0] is None), event  # never looser
        if fast:
            assert shape_ok(event, data_plain=True) == shape_ok(event)
