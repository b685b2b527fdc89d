"""ACL bindings and filters, as Kafka's admin API and kafka-acls see them.

Models ``org.apache.kafka.common.acl`` (AclOperation, AclPermissionType, AclBinding,
AclBindingFilter, AccessControlEntryFilter) and ``org.apache.kafka.common.resource``
(ResourceType, PatternType, ResourcePattern, ResourcePatternFilter). The enums keep
Kafka's codes and declaration order: StandardAuthorizer sorts ACLs by those ordinals,
so the order decides which binding its log line names.

A binding is checked as AclControlManager.validateNewAcl and AclApis.handleCreateAcls
check it (no ANY or UNKNOWN, no MATCH pattern, the cluster resource is named
kafka-cluster, a principal is ``Type:name``); a filter may use ANY and MATCH.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

__all__ = [
    "AclOperation", "AclPermissionType", "ResourceType", "PatternType",
    "AclBinding", "AclBindingFilter", "CLUSTER_NAME", "WILDCARD_RESOURCE",
    "WILDCARD_HOST", "WILDCARD_PRINCIPAL", "parse_principal", "pascal_case",
]

CLUSTER_NAME = "kafka-cluster"  # Resource.CLUSTER_NAME: the one name the CLUSTER resource has
WILDCARD_RESOURCE = "*"  # ResourcePattern.WILDCARD_RESOURCE
WILDCARD_HOST = "*"
WILDCARD_PRINCIPAL = "User:*"


class _Coded(Enum):
    """An enum whose value is Kafka's byte code; declaration order is Kafka's ordinal order."""

    @property
    def code(self) -> int:
        return self.value

    @property
    def ordinal(self) -> int:
        return list(type(self)).index(self)


class AclOperation(_Coded):
    UNKNOWN = 0
    ANY = 1
    ALL = 2
    READ = 3
    WRITE = 4
    CREATE = 5
    DELETE = 6
    ALTER = 7
    DESCRIBE = 8
    CLUSTER_ACTION = 9
    DESCRIBE_CONFIGS = 10
    ALTER_CONFIGS = 11
    IDEMPOTENT_WRITE = 12
    CREATE_TOKENS = 13
    DESCRIBE_TOKENS = 14


class AclPermissionType(_Coded):
    UNKNOWN = 0
    ANY = 1
    DENY = 2
    ALLOW = 3


class ResourceType(_Coded):
    UNKNOWN = 0
    ANY = 1
    TOPIC = 2
    GROUP = 3
    CLUSTER = 4
    TRANSACTIONAL_ID = 5
    DELEGATION_TOKEN = 6
    USER = 7


class PatternType(_Coded):
    UNKNOWN = 0
    ANY = 1
    MATCH = 2
    LITERAL = 3
    PREFIXED = 4


E = TypeVar("E", bound=_Coded)


def pascal_case(name: str) -> str:
    """SecurityUtils.toPascalCase: TRANSACTIONAL_ID -> TransactionalId (kafka-acls also accepts this spelling)."""
    return "".join(part[:1].upper() + part[1:].lower() for part in name.split("_"))


def _parse(enum: type[E], value: E | str, field: str, allowed: tuple[E, ...]) -> E:
    """An enum member from a member or its name (UPPER or PascalCase, as SecurityUtils accepts)."""
    valid = ", ".join(member.name for member in allowed)
    if isinstance(value, enum):
        member = value
    elif isinstance(value, str):
        by_name = {m.name: m for m in enum} | {pascal_case(m.name): m for m in enum}
        member = by_name.get(value.strip())
        if member is None:
            raise ValueError(f"{field}: unknown value {value!r}; valid values are {valid}")
    else:
        raise ValueError(f"{field}: expected a string, got {value!r}; valid values are {valid}")
    if member not in allowed:
        raise ValueError(f"{field}: {member.name} is not allowed here; valid values are {valid}")
    return member


def parse_principal(principal: str) -> tuple[str, str]:
    """SecurityUtils.parseKafkaPrincipal: split ``Type:name`` at the first colon."""
    if not isinstance(principal, str) or ":" not in principal:
        raise ValueError(
            f"principal: expected a string in format principalType:principalName but got {principal!r}"
        )
    principal_type, name = principal.split(":", 1)
    return principal_type, name


_BINDING_OPERATIONS = tuple(op for op in AclOperation if op not in (AclOperation.UNKNOWN, AclOperation.ANY))
_BINDING_RESOURCES = tuple(rt for rt in ResourceType if rt not in (ResourceType.UNKNOWN, ResourceType.ANY))
_BINDING_PATTERNS = (PatternType.LITERAL, PatternType.PREFIXED)
_BINDING_PERMISSIONS = (AclPermissionType.DENY, AclPermissionType.ALLOW)


@dataclass(frozen=True, slots=True, init=False)
class AclBinding:
    """One ACL: a resource pattern and an access control entry (AclBinding).

    ``AclBinding(principal="User:alice", host="*", operation="READ", permission="ALLOW",
    resource_type="TOPIC", name="finance", pattern="LITERAL")``; names are parsed and
    checked as the controller checks a CreateAcls request.
    """

    principal: str
    host: str
    operation: AclOperation
    permission: AclPermissionType
    resource_type: ResourceType
    name: str
    pattern: PatternType

    def __init__(self, principal: str, host: str, operation: AclOperation | str,
                 permission: AclPermissionType | str, resource_type: ResourceType | str,
                 name: str, pattern: PatternType | str = PatternType.LITERAL) -> None:
        parse_principal(principal)
        if not isinstance(host, str) or not host:
            raise ValueError(f"host: expected an address or '*', got {host!r}")
        rtype = _parse(ResourceType, resource_type, "resource_type", _BINDING_RESOURCES)
        if not isinstance(name, str) or not name:
            raise ValueError(f"name: resource name should not be empty, got {name!r}")
        if rtype is ResourceType.CLUSTER and name != CLUSTER_NAME:
            raise ValueError(f"name: the only valid name for the CLUSTER resource is {CLUSTER_NAME}, got {name!r}")
        set_field = object.__setattr__
        set_field(self, "principal", principal)
        set_field(self, "host", host)
        set_field(self, "operation", _parse(AclOperation, operation, "operation", _BINDING_OPERATIONS))
        set_field(self, "permission", _parse(AclPermissionType, permission, "permission", _BINDING_PERMISSIONS))
        set_field(self, "resource_type", rtype)
        set_field(self, "name", name)
        set_field(self, "pattern", _parse(PatternType, pattern, "pattern", _BINDING_PATTERNS))

    def pattern_text(self) -> str:
        """ResourcePattern.toString, as kafka-acls prints it."""
        return (f"ResourcePattern(resourceType={self.resource_type.name}, name={self.name}, "
                f"patternType={self.pattern.name})")

    def entry_text(self) -> str:
        """AccessControlEntry.toString, as kafka-acls prints it under the resource."""
        return (f"(principal={self.principal}, host={self.host}, operation={self.operation.name}, "
                f"permissionType={self.permission.name})")

    def standard_acl_text(self) -> str:
        """StandardAcl.toString: what the authorizer's log line shows as the deciding rule."""
        return (f"StandardAcl(resourceType={self.resource_type.name}, resourceName={self.name}, "
                f"patternType={self.pattern.name}, principal={self.principal}, host={self.host}, "
                f"operation={self.operation.name}, permissionType={self.permission.name})")

    def __str__(self) -> str:
        return f"(pattern={self.pattern_text()}, entry={self.entry_text()})"


@dataclass(frozen=True, slots=True, init=False)
class AclBindingFilter:
    """A filter over bindings (AclBindingFilter = ResourcePatternFilter + AccessControlEntryFilter).

    ``None`` for principal, host or name means any; ``ANY`` for an enum means any.
    The pattern type decides how ``name`` matches (ResourcePatternFilter.matches):
    ANY or the binding's own type: the same name; MATCH: the same literal name, the
    literal ``*``, or a PREFIXED binding whose prefix starts the name. This is what
    ``kafka-acls --list --topic t --resource-pattern-type match`` shows.
    """

    resource_type: ResourceType
    name: str | None
    pattern: PatternType
    principal: str | None
    host: str | None
    operation: AclOperation
    permission: AclPermissionType

    def __init__(self, resource_type: ResourceType | str = ResourceType.ANY, name: str | None = None,
                 pattern: PatternType | str = PatternType.ANY, principal: str | None = None,
                 host: str | None = None, operation: AclOperation | str = AclOperation.ANY,
                 permission: AclPermissionType | str = AclPermissionType.ANY) -> None:
        if principal is not None:
            parse_principal(principal)
        set_field = object.__setattr__
        # AclControlManager.validateFilter: a filter may say ANY, never UNKNOWN.
        known = lambda enum: tuple(m for m in enum if m.name != "UNKNOWN")  # noqa: E731
        set_field(self, "resource_type", _parse(ResourceType, resource_type, "resource_type", known(ResourceType)))
        set_field(self, "name", name)
        set_field(self, "pattern", _parse(PatternType, pattern, "pattern", known(PatternType)))
        set_field(self, "principal", principal)
        set_field(self, "host", host)
        set_field(self, "operation", _parse(AclOperation, operation, "operation", known(AclOperation)))
        set_field(self, "permission", _parse(AclPermissionType, permission, "permission", known(AclPermissionType)))

    @classmethod
    def any(cls) -> AclBindingFilter:
        """AclBindingFilter.ANY: every binding (also what ``AclBindingFilter()`` is)."""
        return cls()

    def matches(self, binding: AclBinding) -> bool:
        return self._matches_pattern(binding) and self._matches_entry(binding)

    def _matches_pattern(self, binding: AclBinding) -> bool:
        if self.resource_type is not ResourceType.ANY and self.resource_type is not binding.resource_type:
            return False
        if self.pattern not in (PatternType.ANY, PatternType.MATCH) and self.pattern is not binding.pattern:
            return False
        if self.name is None:
            return True
        if self.pattern in (PatternType.ANY, binding.pattern):
            return self.name == binding.name
        if binding.pattern is PatternType.LITERAL:  # here self.pattern is MATCH
            return self.name == binding.name or binding.name == WILDCARD_RESOURCE
        return self.name.startswith(binding.name)

    def _matches_entry(self, binding: AclBinding) -> bool:
        if self.principal is not None and self.principal != binding.principal:
            return False
        if self.host is not None and self.host != binding.host:
            return False
        if self.operation is not AclOperation.ANY and self.operation is not binding.operation:
            return False
        return self.permission is AclPermissionType.ANY or self.permission is binding.permission
