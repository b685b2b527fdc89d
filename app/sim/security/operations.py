"""Which ACL operation each Kafka API needs, and what a denied call gets back: one table, one place.

Checked against KafkaApis, ControllerApis (KRaft forwards CreateTopics and DeleteTopics
to the controller), AclApis, ConfigHelper and AuthHelper at Kafka 4.0. A requirement
is met when any of its checks is allowed (``any_of``); a ``topic`` check is made for
each topic of the request and fails only that topic. ``REQUIRED_OPERATIONS`` is the
table the lab and the terminal read; :func:`check_api` runs a call through an
:class:`~app.sim.security.authorizer.Authorizer`.

History (KIP-679, KAFKA-10619, Kafka 2.8.0): before 2.8 an idempotent producer needed
IDEMPOTENT_WRITE on the cluster for InitProducerId and for every idempotent Produce;
from 2.8 InitProducerId is allowed by IDEMPOTENT_WRITE on the cluster *or* WRITE on any
topic (Authorizer.authorizeByResourceType), and Produce checks the topic only.
``kafka_version="2.7"`` gives the old rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from app.sim.security.acl import CLUSTER_NAME, AclOperation as Op, ResourceType as Rt
from app.sim.security.authorizer import Authorizer, Decision
from app.sim.security.errors import (
    SECURITY_ERRORS, SecurityError, group_authorization_message, topic_authorization_message,
)

__all__ = ["Check", "Requirement", "ApiRule", "REQUIRED_OPERATIONS", "rules_for", "check_api", "ApiCheck",
           "metadata_topic_entry", "API_KEYS"]

API_KEYS = {"Produce": 0, "Fetch": 1, "ListOffsets": 2, "Metadata": 3, "OffsetCommit": 8, "OffsetFetch": 9, "FindCoordinator": 10,
            "JoinGroup": 11, "Heartbeat": 12, "LeaveGroup": 13, "SyncGroup": 14, "DescribeGroups": 15,
            "ListGroups": 16, "CreateTopics": 19, "DeleteTopics": 20, "InitProducerId": 22, "DescribeAcls": 29,
            "CreateAcls": 30, "DeleteAcls": 31, "DescribeConfigs": 32, "AlterConfigs": 33,
            "IncrementalAlterConfigs": 44, "ConsumerGroupHeartbeat": 68}


@dataclass(frozen=True, slots=True)
class Check:
    """One authorize() call: ``target`` is topic (each topic of the request), group, cluster,
    transactional_id, or any_topic (authorizeByResourceType: allowed on at least one topic)."""

    operation: Op
    resource_type: Rt
    target: str


@dataclass(frozen=True, slots=True)
class Requirement:
    any_of: tuple[Check, ...]
    error: str  # the Errors name a denied call gets
    when: str = "always"  # always | follower | consumer | idempotent | transactional | auto_create

    def describe(self) -> str:
        return " or ".join(f"{c.operation.name} on {c.target.replace('_', ' ')}" for c in self.any_of)


@dataclass(frozen=True, slots=True)
class ApiRule:
    api: str
    requirements: tuple[Requirement, ...]
    note: str = ""

    @property
    def api_key(self) -> int:
        return API_KEYS[self.api]


def _req(*checks: tuple[Op, Rt, str], error: str, when: str = "always") -> Requirement:
    return Requirement(tuple(Check(*c) for c in checks), error, when)


_T = lambda op: (op, Rt.TOPIC, "topic")  # noqa: E731
_G = lambda op: (op, Rt.GROUP, "group")  # noqa: E731
_C = lambda op: (op, Rt.CLUSTER, "cluster")  # noqa: E731
_X = lambda op: (op, Rt.TRANSACTIONAL_ID, "transactional_id")  # noqa: E731
_TOPIC_DENIED, _GROUP_DENIED, _CLUSTER_DENIED, _TXN_DENIED = (
    "TOPIC_AUTHORIZATION_FAILED", "GROUP_AUTHORIZATION_FAILED", "CLUSTER_AUTHORIZATION_FAILED",
    "TRANSACTIONAL_ID_AUTHORIZATION_FAILED")

REQUIRED_OPERATIONS: dict[str, ApiRule] = {r.api: r for r in (
    ApiRule("Produce", (
        _req(_X(Op.WRITE), error=_TXN_DENIED, when="transactional"),
        _req(_T(Op.WRITE), error=_TOPIC_DENIED)),
        "each topic without WRITE gets TOPIC_AUTHORIZATION_FAILED in its partitions; the others are written"),
    ApiRule("Fetch", (
        _req(_C(Op.CLUSTER_ACTION), error=_TOPIC_DENIED, when="follower"),
        _req(_T(Op.READ), error=_TOPIC_DENIED, when="consumer")),
        "a follower (replica id >= 0) needs CLUSTER_ACTION on the cluster, else every partition gets "
        "TOPIC_AUTHORIZATION_FAILED; a consumer needs READ on each topic"),
    ApiRule("InitProducerId", (
        _req(_X(Op.WRITE), error=_TXN_DENIED, when="transactional"),
        _req(_C(Op.IDEMPOTENT_WRITE), (Op.WRITE, Rt.TOPIC, "any_topic"), error=_CLUSTER_DENIED, when="idempotent")),
        "KIP-679 (2.8): IDEMPOTENT_WRITE on the cluster, or WRITE on at least one topic"),
    ApiRule("Metadata", (
        _req(_T(Op.DESCRIBE), error=_TOPIC_DENIED),
        _req(_C(Op.CREATE), _T(Op.CREATE), error=_TOPIC_DENIED, when="auto_create")),
        "a named topic without DESCRIBE comes back as TOPIC_AUTHORIZATION_FAILED with no partitions and a "
        "zero topic id; a request for all topics just leaves it out"),
    ApiRule("ListOffsets", (_req(_T(Op.DESCRIBE), error=_TOPIC_DENIED),),
            "KafkaApis.handleListOffsetRequest: each topic without DESCRIBE gets TOPIC_AUTHORIZATION_FAILED"),
    ApiRule("ConsumerGroupHeartbeat", (_req(_G(Op.READ), error=_GROUP_DENIED),),
            "KIP-848 (KafkaApis.handleConsumerGroupHeartbeat): READ on the group"),
    ApiRule("OffsetCommit", (_req(_G(Op.READ), error=_GROUP_DENIED), _req(_T(Op.READ), error=_TOPIC_DENIED))),
    ApiRule("OffsetFetch", (_req(_G(Op.DESCRIBE), error=_GROUP_DENIED), _req(_T(Op.DESCRIBE), error=_TOPIC_DENIED)),
            "partitions of topics without DESCRIBE are left out of an all-partitions fetch"),
    ApiRule("FindCoordinator", (_req(_G(Op.DESCRIBE), error=_GROUP_DENIED),)),
    ApiRule("JoinGroup", (_req(_G(Op.READ), error=_GROUP_DENIED),)),
    ApiRule("SyncGroup", (_req(_G(Op.READ), error=_GROUP_DENIED),)),
    ApiRule("Heartbeat", (_req(_G(Op.READ), error=_GROUP_DENIED),)),
    ApiRule("LeaveGroup", (_req(_G(Op.READ), error=_GROUP_DENIED),)),
    ApiRule("DescribeGroups", (_req(_G(Op.DESCRIBE), error=_GROUP_DENIED),)),
    ApiRule("ListGroups", (_req(_C(Op.DESCRIBE), _G(Op.DESCRIBE), error="NONE"),),
            "DESCRIBE on the cluster lists every group; otherwise only groups with DESCRIBE are listed (no error)"),
    ApiRule("CreateTopics", (_req(_C(Op.CREATE), _T(Op.CREATE), error=_TOPIC_DENIED),),
            "error message 'Authorization failed.'; configs come back only with DESCRIBE_CONFIGS on the topic"),
    ApiRule("DeleteTopics", (_req(_C(Op.DELETE), _T(Op.DELETE), error=_TOPIC_DENIED),),
            "KRaft (ControllerApis): DELETE on the cluster allows every topic; a topic without DESCRIBE given "
            "by id comes back without its name"),
    ApiRule("DescribeConfigs", (_req(_T(Op.DESCRIBE_CONFIGS), error=_TOPIC_DENIED),),
            "broker configs need DESCRIBE_CONFIGS on the cluster (CLUSTER_AUTHORIZATION_FAILED), group configs "
            "on the group; ALTER_CONFIGS implies DESCRIBE_CONFIGS"),
    ApiRule("AlterConfigs", (_req(_T(Op.ALTER_CONFIGS), error=_TOPIC_DENIED),),
            "broker configs need ALTER_CONFIGS on the cluster (CLUSTER_AUTHORIZATION_FAILED)"),
    ApiRule("IncrementalAlterConfigs", (_req(_T(Op.ALTER_CONFIGS), error=_TOPIC_DENIED),),
            "broker configs need ALTER_CONFIGS on the cluster, group configs on the group"),
    ApiRule("DescribeAcls", (_req(_C(Op.DESCRIBE), error=_CLUSTER_DENIED),)),
    ApiRule("CreateAcls", (_req(_C(Op.ALTER), error=_CLUSTER_DENIED),),
            "AuthHelper.authorizeClusterOperation: ClusterAuthorizationException 'Request ... is not authorized.'"),
    ApiRule("DeleteAcls", (_req(_C(Op.ALTER), error=_CLUSTER_DENIED),)),
)}

_BEFORE_KIP_679 = {
    "InitProducerId": ApiRule("InitProducerId", (
        _req(_X(Op.WRITE), error=_TXN_DENIED, when="transactional"),
        _req(_C(Op.IDEMPOTENT_WRITE), error=_CLUSTER_DENIED, when="idempotent")),
        "before 2.8: IDEMPOTENT_WRITE on the cluster"),
    "Produce": ApiRule("Produce", (
        _req(_X(Op.WRITE), error=_TXN_DENIED, when="transactional"),
        _req(_C(Op.IDEMPOTENT_WRITE), error=_CLUSTER_DENIED, when="idempotent"),
        _req(_T(Op.WRITE), error=_TOPIC_DENIED)),
        "before 2.8 an idempotent Produce also needed IDEMPOTENT_WRITE on the cluster"),
}


def rules_for(kafka_version: str = "4.0") -> dict[str, ApiRule]:
    """The table for a Kafka version: "2.7" (before KIP-679), "2.8", "3.x" or "4.0"."""
    if kafka_version == "2.7":
        return REQUIRED_OPERATIONS | _BEFORE_KIP_679
    if kafka_version in ("2.8", "3.x", "4.0"):
        return REQUIRED_OPERATIONS
    raise ValueError(f"kafka_version: unknown value {kafka_version!r}; valid values are 2.7, 2.8, 3.x, 4.0")


@dataclass(slots=True)
class ApiCheck:
    """What the broker decided for one call: each authorize() made, and what the client sees."""

    api: str
    decisions: list[tuple[Check, str, Decision | bool]] = field(default_factory=list)
    error: SecurityError | None = None  # the request-level error, if the whole call fails
    denied_topics: list[str] = field(default_factory=list)
    client_exception: str | None = None
    client_message: str | None = None

    @property
    def allowed(self) -> bool:
        return self.error is None and not self.denied_topics


def _applies(when: str, *, follower: bool, idempotent: bool, transactional_id: str | None, auto_create: bool) -> bool:
    return {"always": True, "follower": follower, "consumer": not follower, "idempotent": idempotent and
            transactional_id is None, "transactional": transactional_id is not None, "auto_create": auto_create}[when]


def check_api(authorizer: Authorizer, api: str, principal: str, host: str, *, topics: Sequence[str] = (),
              group: str | None = None, transactional_id: str | None = None, follower: bool = False,
              idempotent: bool = False, auto_create: bool = False, kafka_version: str = "4.0") -> ApiCheck:
    """Run one API call's authorisation as the broker does, in the table's order."""
    rules = rules_for(kafka_version)
    if api not in rules:
        raise ValueError(f"api: unknown value {api!r}; valid values are {', '.join(sorted(rules))}")
    result = ApiCheck(api)
    names = {"group": group, "cluster": CLUSTER_NAME, "transactional_id": transactional_id}
    pending_topics = list(dict.fromkeys(topics))
    for req in rules[api].requirements:
        if not _applies(req.when, follower=follower, idempotent=idempotent, transactional_id=transactional_id,
                        auto_create=auto_create):
            continue
        per_topic = any(c.target == "topic" for c in req.any_of)
        targets = pending_topics if per_topic else [None]
        for topic in list(targets):
            if _allowed_any(authorizer, req, principal, host, api, topic, names, result):
                continue
            if per_topic and req.error == _TOPIC_DENIED:
                result.denied_topics.append(topic)  # type: ignore[arg-type]
                pending_topics.remove(topic)  # type: ignore[arg-type]
            elif req.error != "NONE":
                result.error = SECURITY_ERRORS[req.error]
                break
        if result.error is not None:
            if req.error == _TOPIC_DENIED:  # a follower's fetch: every partition fails
                result.denied_topics = list(dict.fromkeys(topics))
                result.error = None
            break
    _client_view(result, group)
    return result


def _allowed_any(authorizer: Authorizer, req: Requirement, principal: str, host: str, api: str,
                 topic: str | None, names: dict[str, str | None], result: ApiCheck) -> bool:
    for check in req.any_of:
        if check.target == "any_topic":
            allowed = authorizer.authorize_by_resource_type(principal, host, check.operation, check.resource_type)
            result.decisions.append((check, "*", allowed))
        else:
            name = topic if check.target == "topic" else names[check.target]
            if name is None:
                raise ValueError(f"{check.target}: {api} needs a {check.target.replace('_', '.')} to check "
                                 f"{check.operation.name}")
            # A check that another alternative may still satisfy is not logged as a denial (logIfDenied=false);
            # the per-topic check after the cluster's is (AuthHelper.filterByAuthorized in ControllerApis'
            # createTopics/deleteTopics and KafkaApis' metadata auto-creation logs its denials).
            last_topic = check is req.any_of[-1] and check.target == "topic"
            decision = authorizer.authorize(principal, host, check.operation, check.resource_type, name, api=api,
                                            log_if_denied=len(req.any_of) == 1 or last_topic)
            result.decisions.append((check, name, decision))
            allowed = decision.allowed
        if allowed:
            return True
    return False


def _client_view(result: ApiCheck, group: str | None) -> None:
    if result.error is not None:
        result.client_exception = result.error.exception
        if result.error.name == _GROUP_DENIED and group is not None:
            result.client_message = group_authorization_message(group)
        else:
            result.client_message = result.error.message
    elif result.denied_topics:
        result.client_exception = "TopicAuthorizationException"
        result.client_message = topic_authorization_message(result.denied_topics)


def metadata_topic_entry(topic: str, authorized: bool, all_topics: bool = False) -> dict[str, object] | None:
    """A MetadataResponse topic as KafkaApis.handleTopicMetadataRequest builds it for an unauthorised topic.

    Named in the request: error 29, the name, a zero topic id, no partitions (the broker
    does not even check whether it exists). Asked for all topics: left out (None).
    """
    if authorized:
        raise ValueError("metadata_topic_entry: only unauthorised topics have a fixed shape")
    if all_topics:
        return None
    return {"error_code": SECURITY_ERRORS[_TOPIC_DENIED].code, "name": topic,
            "topic_id": "AAAAAAAAAAAAAAAAAAAAAA", "is_internal": False, "partitions": [],
            "topic_authorized_operations": -2147483648}
