"""ssl.principal.mapping.rules: from a client certificate's distinguished name to a principal name.

Models ``org.apache.kafka.common.security.ssl.SslPrincipalMapper`` (KIP-371, Kafka 2.2):
a comma-separated list of ``DEFAULT`` (the DN as it is) and
``RULE:pattern/replacement/[L|U]`` (the first rule whose pattern matches the whole DN
rewrites it with Java's ``String.replaceAll``, then lower- or upper-cases it). Parsing
uses Kafka's own regular expressions; the rule patterns are Java regexes run here by
Python's ``re``, which agrees for the syntax such rules use (groups, classes,
quantifiers, anchors). The principal is then ``User:<name>`` (DefaultKafkaPrincipalBuilder).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SslPrincipalMapper", "NoMatchingRule", "DEFAULT_SSL_PRINCIPAL_MAPPING_RULES"]

DEFAULT_SSL_PRINCIPAL_MAPPING_RULES = "DEFAULT"

# SslPrincipalMapper.RULE_PATTERN, RULE_SPLITTER and RULE_PARSER, character for character.
_RULE_PATTERN = r"(DEFAULT)|RULE:((\\.|[^\\/])*)/((\\.|[^\\/])*)/([LU]?).*?|(.*?)"
_RULE_SPLITTER = re.compile(r"\s*(" + _RULE_PATTERN + r")\s*(,\s*|$)")
_RULE_PARSER = re.compile(_RULE_PATTERN)
_BACK_REFERENCE = re.compile(r"\$(\d+)")


class NoMatchingRule(ValueError):
    """SslPrincipalMapper.NoMatchingRule: no rule applies to the DN (Kafka fails the connection)."""


def _java_find_all(pattern: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """Matcher.find() in a loop: after an empty match the next search starts one character on."""
    matches, pos = [], 0
    while pos <= len(text):
        m = pattern.search(text, pos)
        if m is None:
            break
        matches.append(m)
        pos = m.end() if m.end() > m.start() else m.end() + 1
    return matches


def _java_replacement(replacement: str, groups: int) -> list[str | int]:
    """Java's Matcher.appendReplacement syntax as pieces: ``$n`` (the longest group number that
    exists), ``\\x`` (a literal x), text otherwise."""
    pieces: list[str | int] = []
    i = 0
    while i < len(replacement):
        c = replacement[i]
        if c == "\\":
            i += 1
            if i == len(replacement):
                raise ValueError("character to be escaped is missing")
            pieces.append(replacement[i])
            i += 1
        elif c == "$":
            i += 1
            if i == len(replacement) or not replacement[i].isdigit():
                raise ValueError("Illegal group reference")
            number = int(replacement[i])
            i += 1
            while i < len(replacement) and replacement[i].isdigit() and number * 10 + int(replacement[i]) <= groups:
                number = number * 10 + int(replacement[i])
                i += 1
            if number > groups:
                raise ValueError(f"No group {number}")
            pieces.append(number)
        else:
            pieces.append(c)
            i += 1
    return pieces


@dataclass(frozen=True, slots=True)
class _Rule:
    is_default: bool
    pattern: str | None = None
    replacement: str | None = None
    to_lower: bool = False
    to_upper: bool = False

    def apply(self, dn: str) -> str | None:
        if self.is_default:
            return dn
        assert self.pattern is not None and self.replacement is not None
        regex = re.compile(self.pattern)
        if regex.fullmatch(dn) is None:
            return None
        pieces = _java_replacement(self._escape_literal_back_references(self.replacement, regex.groups), regex.groups)
        result = regex.sub(lambda m: "".join(m.group(p) or "" if isinstance(p, int) else p for p in pieces), dn)
        if self.to_lower:
            return result.lower()
        if self.to_upper:
            return result.upper()
        return result

    @staticmethod
    def _escape_literal_back_references(unescaped: str, groups: int) -> str:
        """Rule.escapeLiteralBackReferences (from Apache NiFi): ``$4`` with 3 groups stays literal text."""
        if groups == 0:
            return unescaped
        value = unescaped
        for m in list(_BACK_REFERENCE.finditer(value)):
            number = m.group(1)
            if number.startswith("0"):
                continue
            index = int(number)
            while index > groups and index >= 10:
                index //= 10
            if index > groups:
                # As Kafka: the matcher runs over the original string, the insert goes into the new one.
                start = m.start(1)
                value = value[: start - 1] + "\\" + value[start - 1:]
        return value

    def __str__(self) -> str:
        if self.is_default:
            return "DEFAULT"
        text = "RULE:" + (self.pattern or "")
        if self.replacement is not None:
            text += "/" + self.replacement
        if self.to_lower:
            text += "/L"
        elif self.to_upper:
            text += "/U"
        return text


class SslPrincipalMapper:
    """The rules of ``ssl.principal.mapping.rules``; ``get_name(dn)`` maps a DN."""

    def __init__(self, rules: str | None = DEFAULT_SSL_PRINCIPAL_MAPPING_RULES) -> None:
        text = DEFAULT_SSL_PRINCIPAL_MAPPING_RULES if rules is None else rules
        self.rules = self._parse([m.group(1) for m in _java_find_all(_RULE_SPLITTER, text.strip())])

    @staticmethod
    def _parse(rules: list[str]) -> list[_Rule]:
        result = []
        for rule in rules:
            m = _RULE_PARSER.match(rule)
            if m is None:
                raise ValueError(f"Invalid rule: {rule}")
            if len(rule) != m.end():
                raise ValueError(f"Invalid rule: `{rule}`, unmatched substring: `{rule[m.end():]}`")
            if m.group(1) is not None:
                result.append(_Rule(True))
            elif m.group(2) is not None:
                try:
                    re.compile(m.group(2))
                except re.error as exc:
                    raise ValueError(f"Invalid rule: `{rule}`: the pattern does not compile ({exc})") from exc
                result.append(_Rule(False, m.group(2), m.group(4), m.group(6) == "L", m.group(6) == "U"))
            # an empty rule is ignored
        return result

    def get_name(self, distinguished_name: str) -> str:
        for rule in self.rules:
            name = rule.apply(distinguished_name)
            if name is not None:
                return name
        raise NoMatchingRule(f"No rules apply to {distinguished_name}, rules [{', '.join(map(str, self.rules))}]")

    def principal(self, distinguished_name: str) -> str:
        """The KafkaPrincipal an mTLS client gets: ``User:`` and the mapped name."""
        return "User:" + self.get_name(distinguished_name)

    def __str__(self) -> str:
        return f"SslPrincipalMapper(rules = [{', '.join(map(str, self.rules))}])"
