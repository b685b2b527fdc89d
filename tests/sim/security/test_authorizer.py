"""The Authorizer against Kafka's StandardAuthorizerTest (cases named after the Java tests) and a case table."""

from __future__ import annotations

import pytest

from app.sim import AclBinding, Authorizer
from app.sim.security import AclBindingFilter

LOCALHOST = "127.0.0.1"  # MockAuthorizableRequestContext's default client address is the local host


def acl(rtype: str, name: str, pattern: str, principal: str, host: str, op: str, permission: str) -> AclBinding:
    return AclBinding(principal=principal, host=host, operation=op, permission=permission,
                      resource_type=rtype, name=name, pattern=pattern)


def authorizer_with(*bindings: AclBinding, **kwargs: object) -> Authorizer:
    kwargs.setdefault("super_users", "User:superman")  # createAndInitializeStandardAuthorizer
    auth = Authorizer(**kwargs)  # type: ignore[arg-type]
    for b in bindings:
        auth.add(b)
    return auth


def results(auth: Authorizer, principal: str, actions: list[tuple[str, str, str]], host: str = LOCALHOST) -> list[str]:
    return [auth.authorize(f"User:{principal}", host, op, rtype, name).result for op, rtype, name in actions]


def foo_acl(op: str, permission: str) -> AclBinding:  # newFooAcl
    return acl("TOPIC", "foo_", "PREFIXED", "User:bob", "*", op, permission)


def bar_acl(op: str, permission: str) -> AclBinding:  # newBarAcl
    return acl("GROUP", "bar", "LITERAL", "User:*", "*", op, permission)


def test_brief_example() -> None:
    auth = Authorizer(super_users=["User:admin"], allow_everyone_if_no_acl_found=False)
    binding = acl("TOPIC", "finance", "LITERAL", "User:alice", "*", "READ", "ALLOW")
    auth.add(binding)
    d = auth.authorize("User:alice", "10.0.0.7", "DESCRIBE", "TOPIC", "finance")
    assert d.allowed is True
    assert d.matched == binding
    assert "implies DESCRIBE" in d.reason


def test_get_configured_super_users() -> None:  # testGetConfiguredSuperUsers
    assert Authorizer(super_users=" ").super_users == frozenset()
    assert Authorizer(super_users="User:bob;User:alice ").super_users == {"User:bob", "User:alice"}
    assert Authorizer(super_users=";  User:bob  ;  User:alice ").super_users == {"User:bob", "User:alice"}
    with pytest.raises(ValueError, match="expected a string in format principalType:principalName but got 'bob'"):
        Authorizer(super_users="bob;:alice")


@pytest.mark.parametrize("allow_everyone, topic2", [(True, "ALLOWED"), (False, "DENIED")])
def test_allow_everyone_if_no_acl_found(allow_everyone: bool, topic2: str) -> None:
    # testAllowEveryoneIfNoAclFoundConfigEnabled / ...Disabled: an ACL on topic1 for Alice
    # denies Bob on topic1 either way; topic2 has no ACL, so the config decides.
    auth = authorizer_with(acl("TOPIC", "topic1", "LITERAL", "User:Alice", "*", "READ", "ALLOW"),
                           super_users="User:alice;User:chris", allow_everyone_if_no_acl_found=allow_everyone)
    assert results(auth, "Bob", [("READ", "TOPIC", "topic1"), ("READ", "TOPIC", "topic2")]) == ["DENIED", topic2]
    rule = auth.authorize("User:Bob", LOCALHOST, "READ", "TOPIC", "topic2").rule
    assert rule == ("DefaultAllow" if allow_everyone else "DefaultDeny")


@pytest.mark.parametrize("op", ["DESCRIBE", "READ", "WRITE", "DELETE", "ALTER"])
def test_find_result_implication_describe(op: str) -> None:  # testFindResultImplication
    auth = authorizer_with(foo_acl(op, "ALLOW"))
    assert auth.authorize("User:bob", LOCALHOST, "DESCRIBE", "TOPIC", "foo_bar").allowed


def test_find_result_implication_rest() -> None:  # testFindResultImplication
    assert not authorizer_with(foo_acl("CREATE", "ALLOW")).authorize(
        "User:bob", LOCALHOST, "DESCRIBE", "TOPIC", "foo_bar").allowed
    for op in ["READ", "WRITE", "DELETE", "ALTER"]:  # a DENY implies nothing: no DENY result for DESCRIBE
        d = authorizer_with(foo_acl(op, "DENY")).authorize("User:bob", LOCALHOST, "DESCRIBE", "TOPIC", "foo_bar")
        assert d.matched is None and d.rule == "DefaultDeny"
    d = authorizer_with(foo_acl("DESCRIBE", "DENY")).authorize("User:bob", LOCALHOST, "DESCRIBE", "TOPIC", "foo_bar")
    assert d.matched == foo_acl("DESCRIBE", "DENY")
    for op in ["DESCRIBE_CONFIGS", "ALTER_CONFIGS"]:
        assert authorizer_with(foo_acl(op, "ALLOW")).authorize(
            "User:bob", LOCALHOST, "DESCRIBE_CONFIGS", "TOPIC", "foo_bar").allowed
    d = authorizer_with(foo_acl("ALTER_CONFIGS", "DENY")).authorize(
        "User:bob", LOCALHOST, "DESCRIBE_CONFIGS", "TOPIC", "foo_bar")
    assert d.matched is None
    d = authorizer_with(foo_acl("ALTER_CONFIGS", "DENY")).authorize(
        "User:bob", LOCALHOST, "ALTER_CONFIGS", "TOPIC", "foo_bar")
    assert d.matched == foo_acl("ALTER_CONFIGS", "DENY")


def test_find_result_principal_matching() -> None:  # testFindResultPrincipalMatching
    assert authorizer_with(foo_acl("READ", "ALLOW")).authorize("User:bob", LOCALHOST, "READ", "TOPIC", "foo_bar").allowed
    assert authorizer_with(foo_acl("READ", "ALLOW")).authorize(
        "User:alice", LOCALHOST, "READ", "TOPIC", "foo_bar").matched is None
    d = authorizer_with(bar_acl("READ", "DENY")).authorize("User:alice", LOCALHOST, "READ", "GROUP", "bar")
    assert d.matched == bar_acl("READ", "DENY") and not d.allowed


def test_list_acls() -> None:  # testListAcls
    foo = [foo_acl("READ", "ALLOW"), foo_acl("WRITE", "ALLOW")]
    bar = [bar_acl("DESCRIBE_CONFIGS", "DENY"), bar_acl("ALTER_CONFIGS", "DENY")]
    auth = authorizer_with(*foo, *bar)
    assert auth.list(AclBindingFilter.any()) == [*foo, *bar]
    assert auth.remove(AclBindingFilter(operation="WRITE", resource_type="TOPIC")) == [foo[1]]
    assert auth.list() == [foo[0], *bar]
    assert auth.list(AclBindingFilter(resource_type="TOPIC", pattern="ANY")) == [foo[0]]


def test_simple_authorizations() -> None:  # testSimpleAuthorizations
    auth = authorizer_with(foo_acl("READ", "ALLOW"), foo_acl("WRITE", "ALLOW"),
                           bar_acl("DESCRIBE_CONFIGS", "ALLOW"), bar_acl("ALTER_CONFIGS", "ALLOW"))
    assert results(auth, "bob", [("READ", "TOPIC", "foo_")]) == ["ALLOWED"]
    assert results(auth, "fred", [("ALTER_CONFIGS", "GROUP", "bar")]) == ["ALLOWED"]


def test_deny_precedence_with_operation_all() -> None:  # testDenyPrecedenceWithOperationAll
    auth = authorizer_with(
        acl("TOPIC", "foo", "LITERAL", "User:alice", "*", "ALL", "DENY"),
        acl("TOPIC", "foo", "PREFIXED", "User:alice", "*", "READ", "ALLOW"),
        acl("TOPIC", "foo", "LITERAL", "User:*", "*", "ALL", "DENY"),
        acl("TOPIC", "foo", "PREFIXED", "User:*", "*", "DESCRIBE", "ALLOW"))
    assert results(auth, "alice", [("WRITE", "TOPIC", "foo"), ("READ", "TOPIC", "foo"),
                                   ("DESCRIBE", "TOPIC", "foo"), ("READ", "TOPIC", "foobar")]) == \
        ["DENIED", "DENIED", "DENIED", "ALLOWED"]
    assert results(auth, "bob", [("DESCRIBE", "TOPIC", "foo"), ("READ", "TOPIC", "foo"), ("WRITE", "TOPIC", "foo"),
                                 ("DESCRIBE", "TOPIC", "foobaz"), ("READ", "TOPIC", "foobaz")]) == \
        ["DENIED", "DENIED", "DENIED", "ALLOWED", "DENIED"]


def test_topic_acl_with_operation_all() -> None:  # testTopicAclWithOperationAll
    auth = authorizer_with(acl("TOPIC", "foo", "LITERAL", "User:*", "*", "ALL", "ALLOW"),
                           acl("TOPIC", "bar", "PREFIXED", "User:alice", "*", "ALL", "ALLOW"),
                           acl("TOPIC", "baz", "LITERAL", "User:bob", "*", "ALL", "ALLOW"))
    assert results(auth, "alice", [("WRITE", "TOPIC", "foo"), ("DESCRIBE_CONFIGS", "TOPIC", "bar"),
                                   ("DESCRIBE", "TOPIC", "baz")]) == ["ALLOWED", "ALLOWED", "DENIED"]
    assert results(auth, "bob", [("WRITE", "TOPIC", "foo"), ("READ", "TOPIC", "bar"),
                                 ("DESCRIBE", "TOPIC", "baz")]) == ["ALLOWED", "DENIED", "ALLOWED"]
    assert results(auth, "malory", [("DESCRIBE", "TOPIC", "foo"), ("WRITE", "TOPIC", "bar"),
                                    ("READ", "TOPIC", "baz")]) == ["ALLOWED", "DENIED", "DENIED"]


def test_host_address_acl_validation() -> None:  # testHostAddressAclValidation
    host1, host2 = "192.168.1.1", "192.168.1.2"
    auth = authorizer_with(acl("TOPIC", "foo", "LITERAL", "User:alice", host1, "READ", "DENY"),
                           acl("TOPIC", "foo", "LITERAL", "User:alice", "*", "READ", "ALLOW"),
                           acl("TOPIC", "bar", "LITERAL", "User:bob", host2, "READ", "ALLOW"),
                           acl("TOPIC", "bar", "LITERAL", "User:*", LOCALHOST, "DESCRIBE", "ALLOW"))
    actions = [("READ", "TOPIC", "foo"), ("READ", "TOPIC", "bar"), ("DESCRIBE", "TOPIC", "bar")]
    assert results(auth, "alice", actions, LOCALHOST) == ["ALLOWED", "DENIED", "ALLOWED"]
    assert results(auth, "alice", actions, host1) == ["DENIED", "DENIED", "DENIED"]
    assert results(auth, "alice", actions, host2) == ["ALLOWED", "DENIED", "DENIED"]
    assert results(auth, "bob", actions, LOCALHOST) == ["DENIED", "DENIED", "ALLOWED"]
    assert results(auth, "bob", actions, host1) == ["DENIED", "DENIED", "DENIED"]
    assert results(auth, "bob", actions, host2) == ["DENIED", "ALLOWED", "ALLOWED"]


def many_acls() -> Authorizer:  # addManyAcls
    return authorizer_with(
        acl("TOPIC", "green2", "LITERAL", "User:*", "*", "READ", "ALLOW"),
        acl("TOPIC", "green", "PREFIXED", "User:bob", "*", "READ", "ALLOW"),
        acl("TOPIC", "betamax4", "LITERAL", "User:bob", "*", "READ", "ALLOW"),
        acl("TOPIC", "betamax", "LITERAL", "User:bob", "*", "READ", "ALLOW"),
        acl("TOPIC", "beta", "PREFIXED", "User:*", "*", "READ", "ALLOW"),
        acl("TOPIC", "alpha", "PREFIXED", "User:*", "*", "READ", "ALLOW"),
        acl("TOPIC", "alp", "PREFIXED", "User:bob", "*", "READ", "DENY"),
        acl("GROUP", "*", "LITERAL", "User:bob", "*", "WRITE", "ALLOW"),
        acl("GROUP", "wheel", "LITERAL", "User:*", "*", "WRITE", "DENY"))


def test_authorization_with_many_acls() -> None:  # testAuthorizationWithManyAcls
    auth = many_acls()
    assert results(auth, "bob", [("READ", "TOPIC", "green1"), ("WRITE", "GROUP", "wheel")]) == ["ALLOWED", "DENIED"]
    assert results(auth, "bob", [("READ", "TOPIC", "alpha"), ("WRITE", "GROUP", "arbitrary"),
                                 ("READ", "TOPIC", "ala")]) == ["DENIED", "ALLOWED", "DENIED"]


def test_deny_audit_logging() -> None:  # testDenyAuditLogging: the exact kafka.authorizer.logger line
    d = many_acls().authorize("User:bob", "127.0.0.1", "READ", "TOPIC", "alpha", api="Fetch")
    assert d.log_line == (
        "Principal = User:bob is Denied operation = READ from host = 127.0.0.1 on resource = Topic:LITERAL:alpha "
        "for request = Fetch with resourceRefCount = 1 based on rule MatchingAcl(acl=StandardAcl(resourceType=TOPIC, "
        "resourceName=alp, patternType=PREFIXED, principal=User:bob, host=*, operation=READ, permissionType=DENY))")
    assert d.log_level == "INFO"
    assert many_acls().authorize("User:bob", "127.0.0.1", "READ", "TOPIC", "alpha", log_if_denied=False).log_level \
        == "TRACE"


def test_allow_audit_logging() -> None:  # testAllowAuditLogging
    d = many_acls().authorize("User:bob", "127.0.0.1", "READ", "TOPIC", "green1", api="Fetch")
    assert d.log_line == (
        "Principal = User:bob is Allowed operation = READ from host = 127.0.0.1 on resource = Topic:LITERAL:green1 "
        "for request = Fetch with resourceRefCount = 1 based on rule MatchingAcl(acl=StandardAcl(resourceType=TOPIC, "
        "resourceName=green, patternType=PREFIXED, principal=User:bob, host=*, operation=READ, permissionType=ALLOW))")
    assert d.log_level == "DEBUG"


def test_authorization_prior_to_complete_initial_load_super_user() -> None:  # testAuthorizationPriorToCompleteInitialLoad
    d = Authorizer(super_users="User:superman").authorize("User:superman", LOCALHOST, "WRITE", "GROUP", "wheel")
    assert d.allowed and d.rule == "SuperUser" and d.matched is None


def test_prefix_acls() -> None:  # testPrefixAcls
    auth = authorizer_with(acl("TOPIC", "fooa", "PREFIXED", "User:alice", "*", "ALL", "ALLOW"),
                           acl("TOPIC", "foobar", "LITERAL", "User:bob", "*", "ALL", "ALLOW"),
                           acl("TOPIC", "f", "PREFIXED", "User:bob", "*", "ALL", "ALLOW"))
    assert results(auth, "bob", [("WRITE", "TOPIC", "foobarr"), ("READ", "TOPIC", "goobar"),
                                 ("READ", "TOPIC", "fooa")]) == ["ALLOWED", "DENIED", "ALLOWED"]
    assert results(auth, "alice", [("DESCRIBE", "TOPIC", "fooa"), ("WRITE", "TOPIC", "bar"),
                                   ("READ", "TOPIC", "baz")]) == ["ALLOWED", "DENIED", "DENIED"]


# A case table of the rules the lab shows: (acls, principal, host, operation, resource, expected, deciding acl index)
_FIN = ("TOPIC", "finance", "LITERAL")
CASES = [
    ("deny beats allow", [(*_FIN, "User:alice", "*", "READ", "ALLOW"), (*_FIN, "User:alice", "*", "READ", "DENY")],
     "User:alice", "10.0.0.7", "READ", "finance", False, 1),
    ("prefixed allow", [("TOPIC", "fin", "PREFIXED", "User:alice", "*", "WRITE", "ALLOW")],
     "User:alice", "10.0.0.7", "WRITE", "finance", True, 0),
    # Neither ACL names "finance", so the (here true) allow.everyone.if.no.acl.found decides.
    ("prefix longer than the name is not found", [("TOPIC", "finances", "PREFIXED", "User:bob", "*", "WRITE", "ALLOW")],
     "User:alice", "10.0.0.7", "WRITE", "finance", True, None),
    ("literal is not a prefix", [("TOPIC", "fin", "LITERAL", "User:bob", "*", "WRITE", "ALLOW")],
     "User:alice", "10.0.0.7", "WRITE", "finance", True, None),
    ("wildcard resource", [("TOPIC", "*", "LITERAL", "User:alice", "*", "READ", "ALLOW")],
     "User:alice", "10.0.0.7", "READ", "finance", True, 0),
    ("wildcard principal", [(*_FIN, "User:*", "*", "READ", "ALLOW")],
     "User:carol", "10.0.0.7", "READ", "finance", True, 0),
    ("wrong host", [(*_FIN, "User:alice", "10.0.0.8", "READ", "ALLOW")],
     "User:alice", "10.0.0.7", "READ", "finance", False, None),
    ("wildcard deny beats literal allow", [(*_FIN, "User:alice", "*", "READ", "ALLOW"),
                                           ("TOPIC", "*", "LITERAL", "User:*", "*", "READ", "DENY")],
     "User:alice", "10.0.0.7", "READ", "finance", False, 1),
    ("write does not imply read", [(*_FIN, "User:alice", "*", "WRITE", "ALLOW")],
     "User:alice", "10.0.0.7", "READ", "finance", False, None),
    ("ACL for someone else still counts as found", [(*_FIN, "User:bob", "*", "READ", "ALLOW")],
     "User:alice", "10.0.0.7", "READ", "finance", False, None),
    ("ACL of another resource type is not found", [("GROUP", "finance", "LITERAL", "User:bob", "*", "READ", "ALLOW")],
     "User:alice", "10.0.0.7", "READ", "finance", True, None),
]


@pytest.mark.parametrize("title, acls, principal, host, op, name, expected, deciding", CASES,
                         ids=[c[0] for c in CASES])
def test_case_table(title: str, acls: list[tuple[str, ...]], principal: str, host: str, op: str, name: str,
                    expected: bool, deciding: int | None) -> None:
    bindings = [acl(*a) for a in acls]
    auth = Authorizer(allow_everyone_if_no_acl_found=True)
    for b in bindings:
        auth.add(b)
    d = auth.authorize(principal, host, op, "TOPIC", name)
    assert d.allowed is expected
    assert d.matched == (bindings[deciding] if deciding is not None else None)


def test_no_acl_default_only_when_no_acl_names_the_resource() -> None:
    auth = Authorizer(allow_everyone_if_no_acl_found=True)
    auth.add(acl("TOPIC", "fin", "PREFIXED", "User:bob", "*", "READ", "ALLOW"))
    d = auth.authorize("User:alice", "10.0.0.7", "READ", "TOPIC", "finance")
    assert not d.allowed and d.rule == "DefaultDeny" and "ACLs name Topic:LITERAL:finance" in d.reason
    d = auth.authorize("User:alice", "10.0.0.7", "READ", "TOPIC", "orders")
    assert d.allowed and d.rule == "DefaultAllow"


def test_authorize_by_resource_type() -> None:  # KIP-679: WRITE on at least one topic
    auth = authorizer_with(acl("TOPIC", "orders", "LITERAL", "User:alice", "*", "WRITE", "ALLOW"),
                           acl("TOPIC", "ord", "PREFIXED", "User:bob", "*", "WRITE", "DENY"),
                           acl("TOPIC", "orders", "LITERAL", "User:bob", "*", "WRITE", "ALLOW"))
    assert auth.authorize_by_resource_type("User:alice", LOCALHOST, "WRITE", "TOPIC")
    assert not auth.authorize_by_resource_type("User:bob", LOCALHOST, "WRITE", "TOPIC")  # dominated by a prefix deny
    assert not auth.authorize_by_resource_type("User:carol", LOCALHOST, "WRITE", "TOPIC")
    assert auth.authorize_by_resource_type("User:superman", LOCALHOST, "WRITE", "TOPIC")


@pytest.mark.parametrize("kwargs, message", [
    ({"operation": "REED"}, "operation: unknown value 'REED'; valid values are ALL, READ, WRITE"),
    ({"resource_type": "QUEUE"}, "resource_type: unknown value 'QUEUE'; valid values are TOPIC, GROUP, CLUSTER"),
    ({"pattern": "MATCH"}, "pattern: MATCH is not allowed here; valid values are LITERAL, PREFIXED"),
    ({"permission": "ANY"}, "permission: ANY is not allowed here; valid values are DENY, ALLOW"),
    ({"principal": "alice"}, "expected a string in format principalType:principalName but got 'alice'"),
    ({"resource_type": "CLUSTER"}, "the only valid name for the CLUSTER resource is kafka-cluster"),
])
def test_bad_binding_names_the_value_and_the_valid_ones(kwargs: dict[str, str], message: str) -> None:
    args = {"principal": "User:alice", "host": "*", "operation": "READ", "permission": "ALLOW",
            "resource_type": "TOPIC", "name": "finance", "pattern": "LITERAL"} | kwargs
    with pytest.raises(ValueError) as info:
        AclBinding(**args)
    assert message in str(info.value)


def test_bad_authorize_input() -> None:
    with pytest.raises(ValueError, match="operation: unknown value 'REED'"):
        Authorizer().authorize("User:alice", "1.2.3.4", "REED", "TOPIC", "t")
    with pytest.raises(ValueError, match="resource_type: ANY is not allowed here"):
        Authorizer().authorize("User:alice", "1.2.3.4", "READ", "ANY", "t")


def test_filter_match_semantics() -> None:  # ResourcePatternFilter.matches, as kafka-acls --list uses it
    literal = acl("TOPIC", "finance", "LITERAL", "User:a", "*", "READ", "ALLOW")
    wildcard = acl("TOPIC", "*", "LITERAL", "User:a", "*", "READ", "ALLOW")
    prefixed = acl("TOPIC", "fin", "PREFIXED", "User:a", "*", "READ", "ALLOW")
    other = acl("TOPIC", "orders", "LITERAL", "User:a", "*", "READ", "ALLOW")
    auth = authorizer_with(literal, wildcard, prefixed, other)
    assert set(auth.list(AclBindingFilter("TOPIC", "finance", "MATCH"))) == {literal, wildcard, prefixed}
    assert auth.list(AclBindingFilter("TOPIC", "finance", "LITERAL")) == [literal]
    assert auth.list(AclBindingFilter("TOPIC", "finance", "ANY")) == [literal]
    assert auth.list(AclBindingFilter("TOPIC", "fin", "PREFIXED")) == [prefixed]
    assert len(auth.remove(AclBindingFilter("TOPIC", "finance", "MATCH"))) == 3
    assert auth.list() == [other]


def test_add_is_idempotent() -> None:
    auth = Authorizer()
    b = acl("TOPIC", "t", "LITERAL", "User:a", "*", "READ", "ALLOW")
    assert auth.add(b) is True and auth.add(b) is False and len(auth) == 1
