"""The security layers of a Kafka connection, computed for real: listeners, TLS, SASL, ACLs.

A library for the security lab (docs/security.md). Everything but the TLS session
(``tls``) and the measured costs is deterministic; the TLS module makes real keys.
"""

from app.sim.security.acl import (
    AclBinding, AclBindingFilter, AclOperation, AclPermissionType, PatternType, ResourceType,
)
from app.sim.security.authorizer import Authorizer, Decision

__all__ = [
    "AclBinding", "AclBindingFilter", "AclOperation", "AclPermissionType", "Authorizer", "Decision",
    "PatternType", "ResourceType",
]
