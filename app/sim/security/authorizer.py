"""Kafka's StandardAuthorizer (KRaft, Kafka 3.2+, KIP-801): who may do what to which resource.

Models ``org.apache.kafka.metadata.authorizer.StandardAuthorizerData``: ACLs kept sorted
as StandardAcl.compareTo sorts them (resource type, resource name in REVERSE order,
pattern type, operation, principal, host, permission), and the same two-section scan
(the resource's own name and its prefixes, then the ``*`` wildcard), so the binding
named as deciding is the one Kafka's ``kafka.authorizer.logger`` line names. Leaves out
the AclMutator/metadata-log plumbing and the not-yet-loaded state
(AuthorizerNotReadyException).

Rules, as the code has them:

- super.users are allowed everything, before any ACL is looked at;
- an ACL applies when its principal is the caller's or ``User:*``, its host is the
  caller's address or ``*``, and its operation is the action's or ALL; an ALLOW of
  READ, WRITE, DELETE or ALTER also allows DESCRIBE, and an ALLOW of ALTER_CONFIGS
  allows DESCRIBE_CONFIGS; a DENY implies nothing beyond its own operation;
- any applicable DENY wins; otherwise an applicable ALLOW allows;
- otherwise, if no ACL at all names the resource (literal name, a matching prefix, or
  the ``*`` wildcard, for any principal and operation), allow.everyone.if.no.acl.found
  decides; if some ACL names it, the answer is DENIED.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from app.sim.security.acl import (
    WILDCARD_HOST, WILDCARD_PRINCIPAL, WILDCARD_RESOURCE, AclBinding, AclBindingFilter, AclOperation,
    AclPermissionType, PatternType, ResourceType, _parse, parse_principal, pascal_case,
)

__all__ = ["Authorizer", "Decision"]

_IMPLIES_DESCRIBE = frozenset({AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE,
                               AclOperation.DELETE, AclOperation.ALTER})
_IMPLIES_DESCRIBE_CONFIGS = frozenset({AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS})
_ACTION_OPERATIONS = tuple(op for op in AclOperation if op not in (AclOperation.UNKNOWN, AclOperation.ANY))
_ACTION_RESOURCES = tuple(rt for rt in ResourceType if rt not in (ResourceType.UNKNOWN, ResourceType.ANY))


class _Reversed:
    """A string that sorts in reverse: StandardAcl sorts resource names backwards."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __lt__(self, other: _Reversed) -> bool:
        return other.text < self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


_SortKey = tuple[int, _Reversed, int, int, str, str, int]


def _sort_key(binding: AclBinding) -> _SortKey:
    """StandardAcl.compareTo as a tuple."""
    return (binding.resource_type.ordinal, _Reversed(binding.name), binding.pattern.ordinal,
            binding.operation.ordinal, binding.principal, binding.host, binding.permission.ordinal)


def _exemplar(resource_type: ResourceType, name: str, pattern: PatternType) -> _SortKey:
    # UNKNOWN (ordinal 0) and "" sort before every real value, as Kafka's exemplar does.
    return (resource_type.ordinal, _Reversed(name), pattern.ordinal, 0, "", "", 0)


def _matches_up_to(resource: str, pattern: str) -> int:
    """StandardAuthorizerData.matchesUpTo: length of the common prefix."""
    i = 0
    while i < len(resource) and i < len(pattern) and resource[i] == pattern[i]:
        i += 1
    return i


@dataclass(frozen=True, slots=True)
class Decision:
    """One authorisation: the result, the binding that decided it (None for a default or a super user) and why.

    ``rule`` is Kafka's MatchingRule text (``SuperUser``, ``DefaultAllow``, ``DefaultDeny``
    or ``MatchingAcl(acl=StandardAcl(...))``); ``log_line`` is the audit line
    StandardAuthorizerData writes to ``kafka.authorizer.logger`` (at INFO for a denial the
    caller asked about, DEBUG for an allow: ``log_level``).
    """

    allowed: bool
    matched: AclBinding | None
    reason: str
    rule: str
    log_line: str
    log_level: str

    @property
    def result(self) -> str:
        return "ALLOWED" if self.allowed else "DENIED"


class _Scan:
    """MatchingRuleBuilder: what the scan found."""

    __slots__ = ("deny", "allow", "has_resource_acls")

    def __init__(self) -> None:
        self.deny: AclBinding | None = None
        self.allow: AclBinding | None = None
        self.has_resource_acls = False


def _parse_super_users(super_users: str | Iterable[str]) -> frozenset[str]:
    """StandardAuthorizer.getConfiguredSuperUsers: ``User:a;User:b``, blanks ignored, each parsed."""
    items = super_users.split(";") if isinstance(super_users, str) else list(super_users)
    result = set()
    for item in items:
        value = item.strip()
        if value:
            parse_principal(value)
            result.add(value)
    return frozenset(result)


class Authorizer:
    """StandardAuthorizer: ACLs, super.users and allow.everyone.if.no.acl.found.

    ``super_users`` takes the ``super.users`` config string (``User:a;User:b``) or a list.
    """

    def __init__(self, super_users: str | Iterable[str] = (), allow_everyone_if_no_acl_found: bool = False) -> None:
        self.super_users = _parse_super_users(super_users)
        self.allow_everyone_if_no_acl_found = bool(allow_everyone_if_no_acl_found)
        self._keys: list[_SortKey] = []
        self._bindings: list[AclBinding] = []

    # -- ACLs --------------------------------------------------------------------------------

    def add(self, binding: AclBinding) -> bool:
        """Add one binding; False if it was there already (AclControlManager skips an existing ACL)."""
        if not isinstance(binding, AclBinding):
            raise ValueError(f"add: expected an AclBinding, got {binding!r}")
        key = _sort_key(binding)
        index = bisect_left(self._keys, key)
        if index < len(self._bindings) and self._bindings[index] == binding:
            return False
        self._keys.insert(index, key)
        self._bindings.insert(index, binding)
        return True

    def remove(self, binding_filter: AclBindingFilter) -> list[AclBinding]:
        """Remove and return every binding the filter matches (DeleteAcls, ``kafka-acls --remove``)."""
        removed = [b for b in self._bindings if binding_filter.matches(b)]
        kept = [b for b in self._bindings if not binding_filter.matches(b)]
        self._bindings = kept
        self._keys = [_sort_key(b) for b in kept]
        return removed

    def list(self, binding_filter: AclBindingFilter | None = None) -> list[AclBinding]:
        """The bindings the filter matches, in the authorizer's order (DescribeAcls, ``kafka-acls --list``)."""
        flt = binding_filter if binding_filter is not None else AclBindingFilter()
        return [b for b in self._bindings if flt.matches(b)]

    def __len__(self) -> int:
        return len(self._bindings)

    # -- decisions ---------------------------------------------------------------------------

    def authorize(self, principal: str, host: str, operation: AclOperation | str,
                  resource_type: ResourceType | str, name: str, *, api: str | None = None,
                  ref_count: int = 1, log_if_allowed: bool = True, log_if_denied: bool = True) -> Decision:
        """May ``principal`` connecting from ``host`` do ``operation`` on the LITERAL resource ``name``?

        ``api`` names the request in the log line (ApiKeys name, e.g. ``Produce``); without
        it the ``for request = ...`` clause is left out.
        """
        parse_principal(principal)
        op = _parse(AclOperation, operation, "operation", _ACTION_OPERATIONS)
        rtype = _parse(ResourceType, resource_type, "resource_type", _ACTION_RESOURCES)
        if not isinstance(name, str):
            raise ValueError(f"name: expected a resource name, got {name!r}")
        if principal in self.super_users:
            allowed, matched, rule = True, None, "SuperUser"
            reason = f"{principal} is in super.users: allowed everything, ACLs are not consulted"
        else:
            scan = self._find(principal, host, op, rtype, name)
            allowed, matched, rule, reason = self._explain(scan, principal, host, op, rtype, name)
        log_line = self._log_line(principal, allowed, op, host, rtype, name, api, ref_count, rule)
        if allowed:
            level = "DEBUG" if log_if_allowed else "TRACE"
        else:
            level = "INFO" if log_if_denied else "TRACE"
        return Decision(allowed, matched, reason, rule, log_line, level)

    def authorize_by_resource_type(self, principal: str, host: str, operation: AclOperation | str,
                                   resource_type: ResourceType | str) -> bool:
        """Authorizer.authorizeByResourceType (KIP-679): allowed on at least one resource of the type?

        StandardAuthorizer keeps the interface's default: a super user (checked through a
        literal resource named ``hardcode``), or an applicable ALLOW (``*`` or a literal
        or prefix) not dominated by an applicable DENY of the same literal or a prefix of it.
        """
        op = _parse(AclOperation, operation, "operation", _ACTION_OPERATIONS)
        rtype = _parse(ResourceType, resource_type, "resource_type", _ACTION_RESOURCES)
        if self.authorize(principal, host, op, rtype, "hardcode", log_if_denied=False).allowed:
            return True
        caller = parse_principal(principal)
        deny: dict[PatternType, set[str]] = {PatternType.LITERAL: set(), PatternType.PREFIXED: set()}
        allow: dict[PatternType, set[str]] = {PatternType.LITERAL: set(), PatternType.PREFIXED: set()}
        wildcard_allow = False
        for b in self._bindings:
            if b.resource_type is not rtype:
                continue
            if b.host not in (host, WILDCARD_HOST):
                continue
            if parse_principal(b.principal) != caller and b.principal != WILDCARD_PRINCIPAL:
                continue
            if b.operation not in (op, AclOperation.ALL):
                continue
            if b.permission is AclPermissionType.DENY:
                if b.pattern is PatternType.LITERAL and b.name == WILDCARD_RESOURCE:
                    return False
                deny[b.pattern].add(b.name)
            elif b.pattern is PatternType.LITERAL and b.name == WILDCARD_RESOURCE:
                wildcard_allow = True
            else:
                allow[b.pattern].add(b.name)
        if wildcard_allow:
            return True
        for pattern, names in allow.items():
            for name in names:
                if pattern is PatternType.LITERAL and name in deny[PatternType.LITERAL]:
                    continue
                if not any(name[:i] in deny[PatternType.PREFIXED] for i in range(1, len(name) + 1)):
                    return True
        return False

    # -- the scan (StandardAuthorizerData.findAclRule / checkSection / findResult) -------------

    def _find(self, principal: str, host: str, op: AclOperation, rtype: ResourceType, name: str) -> _Scan:
        scan = _Scan()
        caller = {parse_principal(principal), parse_principal(WILDCARD_PRINCIPAL)}
        self._check_section(_exemplar(rtype, name, PatternType.UNKNOWN), caller, host, op, rtype, name, scan)
        if scan.deny is None:
            self._check_section(_exemplar(rtype, WILDCARD_RESOURCE, PatternType.LITERAL),
                                caller, host, op, rtype, name, scan)
        return scan

    def _check_section(self, exemplar: _SortKey, caller: set[tuple[str, str]], host: str, op: AclOperation,
                       rtype: ResourceType, name: str, scan: _Scan) -> None:
        i = bisect_left(self._keys, exemplar)
        while i < len(self._bindings):
            acl = self._bindings[i]
            if acl.resource_type is not rtype:
                break
            upto = _matches_up_to(name, acl.name)
            if upto == len(acl.name):
                if acl.pattern is PatternType.LITERAL and upto != len(name):
                    i += 1  # a literal ACL on a prefix of the name: skip, prefixed ACLs may follow
                    continue
            elif not (acl.name == WILDCARD_RESOURCE and acl.pattern is PatternType.LITERAL):
                # Past the ACLs whose names are prefixes of this one: jump to the divergence point.
                exemplar = (exemplar[0], _Reversed(exemplar[1].text[:upto])) + exemplar[2:]
                i = bisect_left(self._keys, exemplar)
                continue
            scan.has_resource_acls = True
            result = _find_result(acl, caller, host, op)
            if result is AclPermissionType.ALLOW:
                scan.allow = acl
            elif result is AclPermissionType.DENY:
                scan.deny = acl
                return
            i += 1

    def _explain(self, scan: _Scan, principal: str, host: str, op: AclOperation, rtype: ResourceType,
                 name: str) -> tuple[bool, AclBinding | None, str, str]:
        resource = f"{pascal_case(rtype.name)}:LITERAL:{name}"
        if scan.deny is not None:
            acl = scan.deny
            return (False, acl, f"MatchingAcl(acl={acl.standard_acl_text()})",
                    f"DENY {acl.operation.name} for {acl.principal} from host {acl.host} on "
                    f"{acl.pattern.name} {acl.name!r} applies, and a DENY beats any ALLOW")
        if scan.allow is not None:
            acl = scan.allow
            implied = ("" if acl.operation in (op, AclOperation.ALL)
                       else f" (an ALLOW of {acl.operation.name} implies {op.name})")
            return (True, acl, f"MatchingAcl(acl={acl.standard_acl_text()})",
                    f"ALLOW {acl.operation.name} for {acl.principal} from host {acl.host} on "
                    f"{acl.pattern.name} {acl.name!r} applies{implied}, and no DENY does")
        if not scan.has_resource_acls:
            allowed = self.allow_everyone_if_no_acl_found
            return (allowed, None, "DefaultAllow" if allowed else "DefaultDeny",
                    f"no ACL names {resource} (literally, by prefix or by '*'), so "
                    f"allow.everyone.if.no.acl.found={str(allowed).lower()} decides")
        return (False, None, "DefaultDeny",
                f"ACLs name {resource} but none applies to {principal} from {host} for {op.name}: denied "
                f"(allow.everyone.if.no.acl.found only applies when no ACL names the resource)")

    @staticmethod
    def _log_line(principal: str, allowed: bool, op: AclOperation, host: str, rtype: ResourceType, name: str,
                  api: str | None, ref_count: int, rule: str) -> str:
        """StandardAuthorizerData.buildAuditMessage."""
        request = f" for request = {api}" if api else ""
        return (f"Principal = {principal} is {'Allowed' if allowed else 'Denied'} operation = {op.name} "
                f"from host = {host} on resource = {pascal_case(rtype.name)}:LITERAL:{name}{request} "
                f"with resourceRefCount = {ref_count} based on rule {rule}")


def _find_result(acl: AclBinding, caller: set[tuple[str, str]], host: str,
                 op: AclOperation) -> AclPermissionType | None:
    """StandardAuthorizerData.findResult: the ACL's permission if it applies, else None (name already matched)."""
    if parse_principal(acl.principal) not in caller:
        return None
    if acl.host != WILDCARD_HOST and acl.host != host:
        return None
    if acl.operation is not AclOperation.ALL:
        if acl.permission is AclPermissionType.ALLOW:
            if op is AclOperation.DESCRIBE:
                if acl.operation not in _IMPLIES_DESCRIBE:
                    return None
            elif op is AclOperation.DESCRIBE_CONFIGS:
                if acl.operation not in _IMPLIES_DESCRIBE_CONFIGS:
                    return None
            elif op is not acl.operation:
                return None
        elif op is not acl.operation:
            return None
    return acl.permission

