"""Conformance cases as data: reading the JSON Lines files, rejecting unknown keys, filling in
placeholders and expanding the body generators. Nothing here does I/O beyond reading the files.

The format is described in README.md next to this file.
"""

import json
import re

CASE_KEYS = {"id", "area", "desc", "request", "raw", "pipeline", "expect", "events",
             "then_health", "timeout", "skip_tls"}
REQUEST_KEYS = {"method", "path", "query", "headers", "json", "text", "base64", "hex", "parts",
                "compress", "chunked", "expect_continue", "content_length"}
BODY_KEYS = {"json", "text", "base64", "hex", "parts"}
RAW_KEYS = {"parts", "shutdown_write", "read_idle"}
PART_KEYS = {"text", "json", "base64", "hex", "repeat", "http"}
EXPECT_KEYS = {"status", "ok", "error", "rejected", "rejected_if_present", "headers", "json",
               "json_body", "interim", "close_ok", "max_responses"}
REJECTION_KEYS = {"index", "code"}
HEADER_OPERATORS = {"equals", "contains", "tokens", "match", "present", "absent"}
EVENT_KEYS = {"messageId", "prefix", "where", "count", "count_in", "absent", "checks"}
CHECK_OPERATORS = {"equals", "not_equals", "in", "contains", "keys", "type", "match", "length",
                   "present", "absent", "format", "time", "same_time_as", "now", "unique",
                   "no_duplicate_keys", "skew"}
CHECK_KEYS = CHECK_OPERATORS | {"path", "tol_ms"}
SKEW_KEYS = {"sentAt", "original"}
COMPRESSIONS = {"gzip", "deflate", "deflate-raw"}

DEFAULT_TIMEOUT_S = 5.0
MAX_TIMEOUT_S = 20.0


class CaseError(Exception):
    """A case that does not follow the format: reported as that case's failure."""


class Case:
    """One case: its raw definition plus where it came from."""

    def __init__(self, definition, origin):
        self.definition = definition
        self.origin = origin  # "file:line", for error messages
        self.id = definition.get("id") if isinstance(definition, dict) else None
        self.error = None  # a CaseError message when the definition is malformed

    @property
    def timeout(self):
        return min(float(self.definition.get("timeout", DEFAULT_TIMEOUT_S)), MAX_TIMEOUT_S)


def load_cases(paths):
    """Every case of the given files, in file order. Malformed lines become cases carrying an
    error rather than stopping the run; a line that is not JSON at all gets a made-up id."""
    cases = []
    seen = set()
    for path in paths:
        with open(path, encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                text = line.strip()
                if not text or text.startswith("#"):
                    continue
                origin = f"{path}:{number}"
                try:
                    definition = json.loads(text)
                except ValueError as error:
                    case = Case({}, origin)
                    case.id = f"line-{number}"
                    case.error = f"{origin}: not JSON: {error}"
                    cases.append(case)
                    continue
                case = Case(definition, origin)
                try:
                    validate_case(definition)
                    if case.id in seen:
                        raise CaseError(f"duplicate id {case.id!r}")
                except CaseError as error:
                    case.error = f"{origin}: {error}"
                    if not isinstance(case.id, str):
                        case.id = f"line-{number}"
                seen.add(case.id)
                cases.append(case)
    return cases


def _require_keys(value, allowed, where):
    if not isinstance(value, dict):
        raise CaseError(f"{where} must be an object")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise CaseError(f"unknown key(s) in {where}: {', '.join(unknown)}")


def validate_case(case):
    _require_keys(case, CASE_KEYS, "the case")
    if not isinstance(case.get("id"), str) or not case["id"]:
        raise CaseError("id must be a non-empty string")
    if ("request" in case) == ("raw" in case):
        raise CaseError("give exactly one of request and raw")
    if "request" in case:
        validate_request(case["request"], "request")
    else:
        _require_keys(case["raw"], RAW_KEYS, "raw")
        if not isinstance(case["raw"].get("parts"), list):
            raise CaseError("raw.parts must be a list")
        for part in case["raw"]["parts"]:
            validate_part(part, "raw.parts")
    if "pipeline" in case and (not isinstance(case["pipeline"], int) or case["pipeline"] < 1):
        raise CaseError("pipeline must be a positive integer")
    validate_expect(case.get("expect", {}))
    events = case.get("events", [])
    if not isinstance(events, list):
        raise CaseError("events must be a list")
    for selection in events:
        validate_selection(selection)
    if "skip_tls" in case and (not isinstance(case["skip_tls"], str) or not case["skip_tls"]):
        raise CaseError("skip_tls is the reason the case cannot run over TLS, a non-empty string")
    timeout = case.get("timeout", DEFAULT_TIMEOUT_S)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise CaseError("timeout must be a positive number of seconds")


def validate_request(request, where):
    _require_keys(request, REQUEST_KEYS, where)
    bodies = BODY_KEYS & set(request)
    if len(bodies) > 1:
        raise CaseError(f"{where} has more than one body: {', '.join(sorted(bodies))}")
    if "compress" in request and request["compress"] not in COMPRESSIONS:
        raise CaseError(f"{where}.compress must be one of {', '.join(sorted(COMPRESSIONS))}")
    headers = request.get("headers", {})
    if isinstance(headers, list):
        if not all(isinstance(pair, list) and len(pair) == 2 for pair in headers):
            raise CaseError(f"{where}.headers as a list holds [name, value] pairs")
    elif not isinstance(headers, dict):
        raise CaseError(f"{where}.headers must be an object or a list of pairs")
    for part in request.get("parts", []):
        validate_part(part, f"{where}.parts")


def validate_part(part, where):
    _require_keys(part, PART_KEYS | {"times"}, where)
    kinds = PART_KEYS & set(part)
    if len(kinds) != 1:
        raise CaseError(f"each of {where} has exactly one of {', '.join(sorted(PART_KEYS))}")
    if ("times" in part) != ("repeat" in part):
        raise CaseError(f"{where}: times goes with repeat, and only with it")
    if "http" in part:
        validate_request(part["http"], f"{where}.http")


def validate_expect(expect):
    _require_keys(expect, EXPECT_KEYS, "expect")
    for key in ("rejected", "rejected_if_present"):
        for rejection in expect.get(key, []):
            _require_keys(rejection, REJECTION_KEYS, f"expect.{key}")
            if not isinstance(rejection.get("index"), int):
                raise CaseError(f"expect.{key}: every entry needs an integer index")
    for name, rule in expect.get("headers", {}).items():
        if isinstance(rule, dict):
            _require_keys(rule, HEADER_OPERATORS, f"expect.headers.{name}")
        elif not isinstance(rule, str):
            raise CaseError(f"expect.headers.{name} must be a string or an object")
    for check in expect.get("json", []):
        validate_check(check, "expect.json")


def validate_selection(selection):
    _require_keys(selection, EVENT_KEYS, "events")
    selectors = {"messageId", "prefix", "where"} & set(selection)
    if len(selectors) != 1:
        raise CaseError("each events entry has exactly one of messageId, prefix and where")
    if "where" in selection:
        validate_check(selection["where"], "events.where")
    for check in selection.get("checks", []):
        validate_check(check, "events.checks")


def validate_check(check, where):
    _require_keys(check, CHECK_KEYS, where)
    operators = CHECK_OPERATORS & set(check)
    if not operators:
        raise CaseError(f"a check in {where} has no operator")
    needs_path = operators - {"skew", "no_duplicate_keys"}
    if needs_path and "path" not in check:
        raise CaseError(f"a check in {where} needs a path for {', '.join(sorted(needs_path))}")
    if isinstance(check.get("skew"), dict):
        _require_keys(check["skew"], SKEW_KEYS, f"{where}.skew")


_PLACEHOLDER = re.compile(r"\{(run|host|client_ip)\}")


def fill_placeholders(value, values):
    """A copy of value with {run}, {host} and {client_ip} replaced in every string and key."""
    def fill(text):
        return _PLACEHOLDER.sub(lambda match: values[match.group(1)], text)

    if isinstance(value, str):
        return fill(value)
    if isinstance(value, list):
        return [fill_placeholders(item, values) for item in value]
    if isinstance(value, dict):
        return {fill(key): fill_placeholders(item, values) for key, item in value.items()}
    return value


def replace_marker(value, marker, text):
    """A copy of value with `marker` (such as "{i}") replaced by text in every string."""
    if isinstance(value, str):
        return value.replace(marker, text)
    if isinstance(value, list):
        return [replace_marker(item, marker, text) for item in value]
    if isinstance(value, dict):
        return {key: replace_marker(item, marker, text) for key, item in value.items()}
    return value


def expand_generators(value):
    """Expands {"$repeat": s, "times": n} into a string and {"$array": {"count": n, "item": x}}
    into a list of copies of x with {i} replaced by the index, at any depth."""
    if isinstance(value, list):
        return [expand_generators(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "$repeat" in value:
        if set(value) != {"$repeat", "times"}:
            raise CaseError("a $repeat generator has exactly the keys $repeat and times")
        return str(value["$repeat"]) * int(value["times"])
    if "$array" in value:
        spec = value["$array"]
        if set(value) != {"$array"} or not isinstance(spec, dict) or set(spec) != {"count", "item"}:
            raise CaseError('an $array generator is {"$array": {"count": n, "item": ...}}')
        item = expand_generators(spec["item"])
        return [replace_marker(item, "{i}", str(index)) for index in range(int(spec["count"]))]
    return {key: expand_generators(item) for key, item in value.items()}
