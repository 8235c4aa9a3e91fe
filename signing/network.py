"""Where timestamps and revocation answers come from: the CAs' servers, or an authority in process.

A `TrustStore` carries the services that go with its anchors: production trusts the shipped
roots and asks the real OCSP responders, CRL points and TSAs over the network (`INTERNET`);
practice trusts a workshop's training root and is answered by that workshop's own in-process
authority (`signing.offline_authority`). The engine and the validators ask the trust store,
never the network directly, so which one is in force is decided once, at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["INTERNET", "InternetServices", "NetworkServices"]


class NetworkServices(Protocol):
    def fetcher_backend(self, *, timeout: float) -> Any:
        """A pyhanko-certvalidator FetcherBackend (OCSP, CRLs, issuer certificates)."""
        ...

    def timestamper(self, url: str, *, timeout: float) -> Any:
        """A pyhanko TimeStamper for the RFC 3161 authority at `url`."""
        ...


@dataclass(frozen=True)
class InternetServices:
    """The real services: HTTP to the URLs in the certificates and to the configured TSA."""

    def fetcher_backend(self, *, timeout: float) -> Any:
        from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

        return AIOHttpFetcherBackend(per_request_timeout=timeout)

    def timestamper(self, url: str, *, timeout: float) -> Any:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        return HTTPTimeStamper(url, timeout=timeout)


INTERNET = InternetServices()
