"""Which ACL authoriser a cluster runs, from its broker configs (``authorizer.class.name`` and friends)."""

from __future__ import annotations

from typing import Any

from app.configs import ConfigException

#: The authoriser classes a cluster may name, by version: AclAuthorizer (ZooKeeper) until 4.0 removed it
#: (KAFKA-17614); StandardAuthorizer (KRaft) from 3.2 (KIP-801). Both follow the same rules here.
AUTHORIZERS = {"org.apache.kafka.metadata.authorizer.StandardAuthorizer": ("3.x", "4.0"),
               "kafka.security.authorizer.AclAuthorizer": ("2.8", "3.x")}


def make_authorizer(cfg: dict[str, Any], version: str) -> Any:
    """The cluster's authoriser from its broker configs, or None (``authorizer.class.name`` empty)."""
    name = cfg.get("authorizer.class.name") or ""
    if not name:
        return None
    if version not in AUTHORIZERS.get(name, ()):
        known = ", ".join(f"{n} ({'/'.join(v)})" for n, v in AUTHORIZERS.items())
        raise ConfigException("authorizer.class.name", name, f"Kafka {version} has no such authorizer; known: {known}")
    from app.sim.security.authorizer import Authorizer

    users = [u.strip() for u in (cfg.get("super.users") or "").split(";") if u.strip()]
    return Authorizer(super_users=users, allow_everyone_if_no_acl_found=bool(cfg.get("allow.everyone.if.no.acl.found")))
