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
