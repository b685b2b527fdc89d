"""A client's ``sasl.jaas.config``, read as Kafka's JaasConfig reads it.

The value is ``<loginModuleClass> <controlFlag> (<optionName>=<optionValue>)*;``: Kafka parses
it with a java.io.StreamTokenizer (words, quoted strings, ``=`` and ``;``), and fails with
IllegalArgumentExceptions whose messages are kept here. What a SASL client takes from it:
``username`` and ``password`` (PlainLoginModule, ScramLoginModule), and for the unsecured
OAUTHBEARER login module (OAuthBearerUnsecuredLoginCallbackHandler) the token's subject
``unsecuredLoginStringClaim_sub`` and ``unsecuredLoginLifetimeSeconds`` (3600 by default).
Comments and more than one entry (Kafka allows both) are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["JaasEntry", "JaasConfigError", "parse_jaas_config", "LOGIN_MODULES", "missing_jaas_message"]

#: The login module each SASL mechanism's client uses (what kafka's docs put in sasl.jaas.config).
LOGIN_MODULES = {
    "PLAIN": "org.apache.kafka.common.security.plain.PlainLoginModule",
    "SCRAM-SHA-256": "org.apache.kafka.common.security.scram.ScramLoginModule",
    "SCRAM-SHA-512": "org.apache.kafka.common.security.scram.ScramLoginModule",
    "OAUTHBEARER": "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule",
}
_FLAGS = ("REQUIRED", "REQUISITE", "SUFFICIENT", "OPTIONAL")
# StreamTokenizer's tokens as JaasConfig sets it up: words of letters, digits, '.', '-', '_', '$';
# quoted strings in " or '; every other character is a token of its own.
_TOKEN = re.compile(r"""\s*(?:(?P<word>[A-Za-z0-9_.$\-]+)|"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<char>\S))""")


class JaasConfigError(ValueError):
    """The IllegalArgumentException Kafka throws for a malformed sasl.jaas.config."""


@dataclass(frozen=True)
class JaasEntry:
    login_module: str
    control_flag: str
    options: dict[str, str] = field(default_factory=dict)

    @property
    def username(self) -> str | None:
        return self.options.get("username")

    @property
    def password(self) -> str | None:
        return self.options.get("password")


def missing_jaas_message() -> str:
    """What a SASL client without sasl.jaas.config fails with at construction (JaasContext.loadClientContext)."""
    return ("Could not find a 'KafkaClient' entry in the JAAS configuration. System property "
            "'java.security.auth.login.config' is not set")


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for m in _TOKEN.finditer(text):
        if m.group("word") is not None:
            out.append(("word", m.group("word")))
        elif m.group("dq") is not None or m.group("sq") is not None:
            out.append(("word", m.group("dq") if m.group("dq") is not None else m.group("sq")))
        elif m.group("char") is not None:
            out.append(("char", m.group("char")))
    return out


def parse_jaas_config(text: str) -> JaasEntry:
    """The (first) login module entry of ``text``; JaasConfigError with Kafka's message when it is malformed."""
    tokens = _tokens(text)
    if not tokens:
        raise JaasConfigError("Login module not specified in JAAS config")
    module = tokens[0][1]
    if len(tokens) < 2:
        raise JaasConfigError("Login module control flag not specified in JAAS config")
    flag = tokens[1][1]
    if flag.upper() not in _FLAGS:
        raise JaasConfigError(f"Invalid login module control flag '{flag}' in JAAS config")
    options: dict[str, str] = {}
    i = 2
    while i < len(tokens) and tokens[i] != ("char", ";"):
        key = tokens[i][1]
        if i + 2 >= len(tokens) or tokens[i + 1] != ("char", "=") or tokens[i + 2][0] != "word":
            raise JaasConfigError(f"Value not specified for key '{key}' in JAAS config")
        options[key] = tokens[i + 2][1]
        i += 3
    if i >= len(tokens):
        raise JaasConfigError("JAAS config entry not terminated by semi-colon")
    return JaasEntry(module, flag.upper(), options)
