"""A throwaway PKI for the TLS lab: one CA, a broker certificate, a client certificate (trustme).

Made once when the lab starts (key generation is the slow part: make it once per
process or test session). Keys are ECDSA P-256, as trustme makes them. The broker's
certificate carries its host names and address as subject alternative names, which is
what ``ssl.endpoint.identification.algorithm=https`` (the default since Kafka 2.0,
KIP-294) checks; the client's carries the distinguished name that
``ssl.principal.mapping.rules`` maps to a principal under ``ssl.client.auth=required``.
"""

from __future__ import annotations

from dataclasses import dataclass

import trustme
from cryptography import x509

__all__ = ["Pki", "make_pki", "distinguished_name"]


@dataclass(frozen=True)
class Pki:
    ca: trustme.CA
    broker: trustme.LeafCert
    client: trustme.LeafCert
    broker_names: tuple[str, ...]

    def client_dn(self) -> str:
        return distinguished_name(self.client.cert_chain_pems[0].bytes())


def distinguished_name(cert_pem: bytes) -> str:
    """The subject as Java's X500Principal.getName() prints it (RFC 2253: most specific first, no spaces)."""
    cert = x509.load_pem_x509_certificate(cert_pem)
    return cert.subject.rfc4514_string()


def make_pki(broker_names: tuple[str, ...] = ("broker1.example.com", "localhost", "127.0.0.1"),
             client_common_name: str = "alice", client_org: str = "Brokerlab",
             client_unit: str = "ServiceUsers") -> Pki:
    """A CA and the two leaf certificates; ``broker_names`` become the broker's SANs (DNS names or IPs)."""
    ca = trustme.CA(organization_name="Brokerlab", organization_unit_name="Lab CA")
    broker = ca.issue_cert(*broker_names, common_name=broker_names[0], organization_name="Brokerlab",
                           organization_unit_name="Brokers")
    client = ca.issue_cert(f"{client_common_name}.clients.example.com", common_name=client_common_name,
                           organization_name=client_org, organization_unit_name=client_unit)
    return Pki(ca, broker, client, broker_names)
