"""Authentication-Results (RFC 8601) and Received headers.

Written by hand because real receivers do not follow RFC 8601 closely enough for a strict
parser (the ``authres`` package rejects Microsoft 365's headers, which carry no authserv-id
at all). This tokenizer accepts what real mail holds and never raises.
"""

from __future__ import annotations

import re

from seawall.mail.headers import parse_date
from seawall.mail.model import AuthResult, AuthResults, Received

_METHODS = frozenset(
    {
        "spf",
        "dkim",
        "dmarc",
        "arc",
        "auth",
        "iprev",
        "bimi",
        "compauth",
        "dkim-atps",
        "domainkeys",
        "sender-id",
        "x-ptr",
        "smime",
        "rrvs",
        "vbr",
        "dnswl",
        "x-dkim",
    }
)


def _strip_comments(value: str) -> str:
    """Remove (nested) parenthesised comments outside quoted strings."""
    out: list[str] = []
    depth = 0
    quoted = False
    escaped = False
    for char in value:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(char)
            continue
        if char == "\\":
            escaped = True
            if depth == 0:
                out.append(char)
            continue
        if char == '"' and depth == 0:
            quoted = not quoted
            out.append(char)
            continue
        if not quoted:
            if char == "(":
                depth += 1
                continue
            if char == ")" and depth > 0:
                depth -= 1
                continue
        if depth == 0:
            out.append(char)
    return "".join(out)


def _split_outside_quotes(value: str, sep: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in value:
        if char == '"':
            quoted = not quoted
        if char == sep and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


# The published DMARC policy: Gmail and others state it in a comment ("dmarc=fail (p=NONE
# sp=NONE dis=NONE)"), Microsoft 365 as "action=none|oreject|quarantine".
_DMARC_POLICY_COMMENT = re.compile(r"\bdmarc\s*=\s*\w+\s*\(([^)]*)\)", re.IGNORECASE)
_POLICY = re.compile(r"\bp\s*=\s*(none|quarantine|reject)\b", re.IGNORECASE)
_ACTIONS = {"none": "none", "quarantine": "quarantine", "oreject": "reject", "reject": "reject"}
_TOKEN = re.compile(r'([A-Za-z0-9_.\-/]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s;]+)')


def parse_authentication_results(value: str, position: int, arc: bool = False) -> AuthResults:
    """Parse one header value; unknown or broken clauses are skipped, never raised."""
    arc_instance: int | None = None
    dmarc_comment: str | None = None
    text = _strip_comments(value)
    segments = [s.strip() for s in _split_outside_quotes(text, ";")]
    if arc and segments and segments[0].lower().startswith("i="):
        try:
            arc_instance = int(segments[0][2:].strip())
        except ValueError:
            arc_instance = None
        segments = segments[1:]
    authserv_id = ""
    if segments and segments[0]:
        first = _TOKEN.match(segments[0])
        if not (first and first.group(1).split("/")[0].lower() in _METHODS):
            # "authserv-id [version]"; Microsoft 365 omits it and starts with "spf=...".
            authserv_id = segments[0].split()[0].lower()
            segments = segments[1:]
    results: list[AuthResult] = []
    for segment in segments:
        tokens = _TOKEN.findall(segment)
        if not tokens:
            continue
        method_token, result_token = tokens[0]
        method = method_token.split("/")[0].lower()
        if method not in _METHODS and not method.startswith("x-"):
            continue
        properties: dict[str, str] = {}
        reason = ""
        for key, val in tokens[1:]:
            val = val.strip('"')
            key = key.lower()
            if key == "reason":
                reason = val
            elif "." in key:
                properties[key] = val.lower() if key.startswith(("header.", "smtp.")) else val
            elif key == "action" and method == "dmarc" and val.lower() in _ACTIONS:
                properties["policy.published"] = _ACTIONS[val.lower()]
        if method == "dmarc" and "policy.published" not in properties:
            if dmarc_comment is None:
                # searched once per header: once per "dmarc=" segment made many segments quadratic
                found = _DMARC_POLICY_COMMENT.search(value)
                dmarc_comment = found.group(1) if found else ""
            policy = _POLICY.search(dmarc_comment) if dmarc_comment else None
            if policy:
                properties["policy.published"] = policy.group(1).lower()
        results.append(
            AuthResult(
                method=method, result=result_token.strip('"').lower(), reason=reason, properties=properties
            )
        )
    return AuthResults(authserv_id=authserv_id, results=results, position=position, arc_instance=arc_instance)


_RECEIVED_FROM = re.compile(r"\bfrom\s+(\S+)(?:\s+\(([^)]*)\))?", re.IGNORECASE)
_RECEIVED_BY = re.compile(r"\bby\s+([^\s;()]+)", re.IGNORECASE)
_RECEIVED_WITH = re.compile(r"\bwith\s+([^\s;()]+)", re.IGNORECASE)
_IPV4 = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])")
_IPV6 = re.compile(
    r"\[(?:IPv6:)?([0-9a-fA-F:]{2,39}(?:%\w+)?)\]|\(([0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{0,4}){2,7})\)"
)


def parse_received(value: str, position: int = -1) -> Received:
    """Parse one Received header into from-host, from-IP, by-host, protocol and time."""
    from_host = from_ip = by_host = protocol = ""
    timestamp = None
    body, sep, date_part = value.rpartition(";")
    if not sep:
        body = value
    if sep:
        timestamp = parse_date(date_part.strip())
    match = _RECEIVED_FROM.search(body)
    if match:
        from_host = match.group(1).strip("[]").lower()
        comment = match.group(2) or ""
        ip_match = _IPV4.search(comment) or _IPV4.search(match.group(1))
        if ip_match:
            from_ip = ip_match.group(1)
        else:
            v6 = _IPV6.search(comment) or _IPV6.search(match.group(0))
            if v6:
                from_ip = (v6.group(1) or v6.group(2) or "").lower()
    match = _RECEIVED_BY.search(body)
    if match:
        by_host = match.group(1).lower()
    match = _RECEIVED_WITH.search(body)
    if match:
        protocol = match.group(1).upper()
    return Received(
        raw=value[:1000],
        from_host=from_host,
        from_ip=from_ip,
        by_host=by_host,
        protocol=protocol,
        timestamp=timestamp,
        position=position,
    )
