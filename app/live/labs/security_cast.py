"""Who is in the security lab: the notes' users, what each client says it is, and what it reads or writes.

Shared by the lab's spec (app/live/labs/security.py), its page's words (security_threats.py) and its
byte view (security_bytes.py), so a name is spelled once.
"""

from __future__ import annotations

#: The users the brokers know (PLAIN's JAAS entries, SCRAM's credentials), name -> password.
PASSWORDS = {"alice": "alice-secret", "bob": "bob-secret", "admin": "admin-secret"}
#: client.id -> the user name and password it authenticates with: mallory has alice's name, not her password.
CLAIMS = {"admin": ("admin", "admin-secret"), "alice": ("alice", "alice-secret"), "bob": ("bob", "bob-secret"),
          "mallory": ("alice", "guess")}
#: client.id -> (its consumer group, the topic it reads); admin is the producer and writes finance.
READERS = {"alice": ("finance-reports", "finance"), "bob": ("fleet", "trucks"), "anonymous": ("finance-snoop", "finance"),
           "mallory": ("finance-audit", "finance")}
PRODUCER, PRODUCED_TOPIC = "admin", "finance"
#: Who tries what in the notes' threats.
IMPOSTOR, IMPERSONATED, DELETER, DELETED_TOPIC = "mallory", "alice", "bob", "trucks"
ROLES = {"admin": "writes finance", "alice": "reads finance", "bob": "reads trucks",
         "anonymous": "reads finance, with no credentials", "mallory": "claims to be alice, reads finance"}
