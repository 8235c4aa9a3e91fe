"""The memoised RFC 4518 name preparation answers exactly as asn1crypto's own, every time."""

import pytest
from asn1crypto import x509

from signing.asn1_names import memoise_name_preparation

VALUES = ["Nguyễn Văn A", "NGUYỄN  VĂN   A ", "Nguye\u0302\u0303n", "Viện kiểm sát nhân dân tối cao",
          "ﬁle", "", " ", "a" * 300, "Ω Ω", "VN", "ｆｕｌｌ"]


def test_prepared_values_and_name_equality_unchanged():
    original = x509.NameTypeAndValue._ldap_string_prep
    original = getattr(original, "__wrapped__", original)
    memoise_name_preparation()
    holder = x509.NameTypeAndValue()
    for _ in range(2):  # second round answered from the memo
        for value in VALUES:
            assert holder._ldap_string_prep(value) == original(holder, value)
    a = x509.Name.build({"common_name": "NGUYỄN VĂN  A", "country_name": "VN"})
    b = x509.Name.build({"common_name": "nguyễn văn a", "country_name": "VN"})
    c = x509.Name.build({"common_name": "Nguyễn Văn B", "country_name": "VN"})
    assert a == b and a != c


def test_prohibited_value_still_refused_and_not_kept():
    memoise_name_preparation()
    holder = x509.NameTypeAndValue()
    for _ in range(2):
        with pytest.raises(ValueError):
            holder._ldap_string_prep("a\ue000b")  # a private-use character (RFC 4518 table C.3)
