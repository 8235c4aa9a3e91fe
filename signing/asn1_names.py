"""Name comparison without redoing RFC 4518 string preparation for every parsed certificate.

asn1crypto prepares every attribute value of an X.509 name (`_ldap_string_prep`: Unicode
mapping, NFKC normalisation, prohibited-character and bidi checks) before names are compared or
hashed, once per parsed object. pyhanko parses each document's CMS certificates afresh, so
verifying a folder prepared the same few strings again for every document and every context —
the largest single cost of `kyso verify DIR` after the validations themselves
(docs/performance.md §11). The preparation is a pure function of the string; its results are
kept here (short strings only, a bounded number), the answers unchanged.
"""

from __future__ import annotations

_MAX_ENTRIES = 4096
_MAX_LENGTH = 256
_installed = False


def memoise_name_preparation() -> None:
    global _installed
    if _installed:
        return
    from asn1crypto import x509

    prepare = x509.NameTypeAndValue._ldap_string_prep
    prepared: dict[str, str] = {}

    def _ldap_string_prep(self, string):
        if not isinstance(string, str) or len(string) > _MAX_LENGTH:
            return prepare(self, string)
        found = prepared.get(string)
        if found is None:
            found = prepare(self, string)  # raises for a prohibited value, as before: nothing kept
            if len(prepared) >= _MAX_ENTRIES:
                prepared.clear()
            prepared[string] = found
        return found

    _ldap_string_prep.__wrapped__ = prepare  # type: ignore[attr-defined]
    x509.NameTypeAndValue._ldap_string_prep = _ldap_string_prep
    _installed = True
