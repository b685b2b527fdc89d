"""The security lab's words: each client's card (its configs, who the brokers take it for, what it got) and the
notes' three threats, each shown or blocked by the layer that stops it.

Computed from what SecurityWatch saw (app/live/labs/security_watch.py) and the run's configs; plain text
and data for the page, which draws it (static/js/lab/security.js).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from app.live.labs.security_cast import (
    DELETED_TOPIC, DELETER, IMPERSONATED, IMPOSTOR, PRODUCED_TOPIC, PRODUCER, READERS, ROLES,
)

#: The keys a client's card shows, in a properties file's order.
_CLIENT_KEYS = ("security.protocol", "sasl.mechanism", "sasl.jaas.config")


def _configs(spec_client: dict[str, Any]) -> list[str]:
    cfg = spec_client["configs"]
    lines = [f"{k}={cfg[k]}" for k in _CLIENT_KEYS
             if cfg.get(k) is not None and (k == "security.protocol" or str(cfg["security.protocol"]).startswith("SASL_"))]
    cert = spec_client.get("certificate")
    if cert is not None:
        subject = cert if isinstance(cert, str) else cert["subject"]
        issuer = "the cluster's CA" if isinstance(cert, str) or cert.get("issuer", "ca") == "ca" else "itself (self-signed)"
        lines.append(f"ssl.keystore.location=/etc/app/{spec_client['configs'].get('client.id')}.p12 "
                     f"(a certificate for {subject}, issued by {issuer})")
    return lines


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def cards(view: dict[str, Any], spec: dict[str, Any]) -> list[dict[str, Any]]:
    """One card per client of the cast, in the cast's order."""
    clients = {PRODUCER: spec["producers"][0]}
    clients |= {g["configs"]["client.id"]: g for g in spec["consumer_groups"]}
    out = []
    for name in [PRODUCER, *READERS]:
        links = [link for link in view["links"] if link["client"] == name]
        ready = [link for link in links if link.get("state") == "ready"]
        principals = Counter(link["principal"] for link in ready)
        principal = principals.most_common(1)[0][0] if principals else None
        stopped, failure = view["stopped"].get(name), view["failures"].get(name)
        errors = view["produce_errors"] if name == PRODUCER else {}
        if errors and not view["records"].get(name):
            error, count = max(errors.items(), key=lambda kv: kv[1])
            state, text = "failed", f"its records fail: {error} ({count} so far)"
        elif stopped is not None:
            state, text = "stopped", stopped["message"]
        elif failure is not None and not ready:
            if failure["retriable"]:
                state, text = "refused", f"cannot connect, retrying: {failure['client_log']}"
            else:
                state, text = "failed", f"{failure['exception']}: {failure['message']}"
        elif ready:
            tls = ready[0].get("tls")
            state = "connected"
            text = f"connected as {principal} ({ready[0]['protocol']}{', ' + tls if tls else ''})"
        else:
            state, text = "connecting", "connecting"
        out.append({"name": name, "role": ROLES[name], "configs": _configs(clients[name]), "state": state,
                    "principal": principal, "text": text, "records": view["records"].get(name, 0),
                    "failure": failure, "reauths": sum(link.get("reauths", 0) for link in links)})
    return out


def threats(view: dict[str, Any], layers: dict[str, Any], cast: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The notes' three threats, each ``shown`` (it works on this cluster) or ``blocked`` (and by what)."""
    by_name = {c["name"]: c for c in cast}
    seen = view["seen"]
    # 1. An eavesdropper on the path reads the records: encryption stops it.
    if layers["tls"]:
        eavesdrop = {"status": "blocked", "layer": "encryption",
                     "text": f"The eavesdropper captured {_n(seen.get('encrypted', 0), 'message')}, every record inside TLS "
                             f"({layers['tls']}): {_n(seen.get('records hidden', 0), 'record')} it cannot read."}
    else:
        extra = (f", and {_n(seen['passwords read'], 'password')} in clear in SaslAuthenticate requests (PLAIN without TLS)"
                 if seen.get("passwords read") else "")
        read = seen.get("records read", 0)
        eavesdrop = {"status": "shown", "layer": "encryption",
                     "text": (f"The eavesdropper read {_n(read, 'record')} of {PRODUCED_TOPIC} in clear "
                              f"(keys, amounts, names){extra}."
                              if read else "Nothing encrypts the traffic: whatever travels can be read"
                              f"{extra} (no records have travelled yet).")}
    # 2. A client claims to be alice: authentication stops it (if it checks something the impostor lacks).
    impostor, victim = by_name[IMPOSTOR], by_name[IMPERSONATED]
    if layers["authentication"] == "none":
        who = impostor["principal"] or "User:ANONYMOUS"
        impersonation = {"status": "shown", "layer": "authentication",
                         "text": f"Without authentication {IMPOSTOR} is {who}, exactly as {IMPERSONATED} is: the broker "
                                 f"cannot tell them apart, so whatever {IMPERSONATED} may do, so may {IMPOSTOR}"
                                 + (f" ({IMPOSTOR} read {_n(impostor['records'], 'record')})." if impostor["records"] else ".")}
    elif impostor["principal"] == victim["principal"] and impostor["principal"] is not None:
        impersonation = {"status": "shown", "layer": "authentication",
                         "text": f"An unsecured OAUTHBEARER token is believed as it is: {IMPOSTOR}'s says sub={IMPERSONATED}, "
                                 f"so the broker takes her for {impostor['principal']}. Unsecured tokens are for tests only."}
    elif impostor["state"] in ("failed", "stopped"):
        impersonation = {"status": "blocked", "layer": "authentication",
                         "text": f"{IMPOSTOR} gave {IMPERSONATED}'s name but cannot prove it: {impostor['text']}"}
    else:
        impersonation = {"status": "waiting", "layer": "authentication", "text": f"{IMPOSTOR} is connecting."}
    # 3. bob deletes a topic: authorisation stops it.
    tried = [r for r in view["admin"] if r["client"].startswith(DELETER)]
    if not tried:
        deletion = {"status": "waiting", "layer": "authorisation",
                    "text": f"Press \u201c{DELETER} deletes {DELETED_TOPIC}\u201d: {DELETER}'s application calls "
                            f"Admin.deleteTopics([{DELETED_TOPIC}]) as {DELETER}."}
    else:
        last = tried[-1]
        if last["results"].get(DELETED_TOPIC) == "NONE":
            deletion = {"status": "shown", "layer": "authorisation",
                        "text": f"{DELETED_TOPIC} is deleted: nothing checked whether {DELETER} may." + (
                            "" if layers["acls"] else " No authorizer is configured, so every call is allowed.")}
        elif last["exception"] == "TopicAuthorizationException":
            deletion = {"status": "blocked", "layer": "authorisation",
                        "text": f"{last['exception']}: {last['message']} The authorizer found no ACL that lets "
                                f"{DELETER} delete {DELETED_TOPIC}."}
        else:
            deletion = {"status": "blocked", "layer": "authentication",
                        "text": f"{DELETER}'s admin client never got a connection: {last['exception']}: {last['message']}"}
    return [{"id": "eavesdrop", "title": "An eavesdropper on the path reads the records", **eavesdrop},
            {"id": "impersonation", "title": f"A client claims to be {IMPERSONATED}", **impersonation},
            {"id": "deletion", "title": f"{DELETER} deletes topic {DELETED_TOPIC}", **deletion}]

