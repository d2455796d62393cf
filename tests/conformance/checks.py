"""The check operators of the case format, run on one JSON value (a stored event or a response
body): `{"path": P, operator: argument, ...}`, where every operator must hold."""

import datetime
import re

DEFAULT_TOLERANCE_MS = 1
NOW_SLACK_MS = 50

_STORED_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
_UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                    re.IGNORECASE)
_ISO_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"(Z|z|[+-]\d{2}(?::?\d{2})?)?")
_MISSING = object()


def lookup(value, path):
    """The value at a dotted path ("context.library.name", "rejected.0.code") or a list of
    keys; _MISSING when there is none."""
    keys = path if isinstance(path, list) else str(path).split(".")
    for key in keys:
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and str(key).isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return _MISSING
    return value


def json_equal(left, right):
    """JSON equality: booleans are not numbers, 1 equals 1.0, objects ignore key order."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(json_equal, left, right))
    return type(left) is type(right) and left == right


def contains_subset(value, subset):
    """True when value holds subset: every key of an object subset, recursively."""
    if isinstance(subset, dict):
        return isinstance(value, dict) and all(
            key in value and contains_subset(value[key], item) for key, item in subset.items())
    return json_equal(value, subset)


def parse_time_ms(text):
    """Milliseconds since the epoch of an ISO 8601 time (no zone: UTC), or None."""
    if not isinstance(text, str):
        return None
    match = _ISO_TIME.fullmatch(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime.datetime(int(year), int(month), int(day), int(hour or 0),
                                   int(minute or 0), int(second or 0),
                                   tzinfo=datetime.timezone.utc)
    except ValueError:
        return None
    ms = int(moment.timestamp()) * 1000 + int(((fraction or "") + "000")[:3])
    if zone and zone not in ("Z", "z"):
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset_minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
        ms -= sign * offset_minutes * 60_000
    return ms


def _type_name_matches(value, name):
    if name == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer())
    kinds = {"string": str, "number": (int, float), "boolean": bool, "object": dict,
             "array": list, "null": type(None)}
    if name not in kinds:
        return False
    if name == "number" and isinstance(value, bool):
        return False
    return isinstance(value, kinds[name])


class CheckContext:
    """What operators need beyond the value itself.

    window_ms: (first, last) wall-clock ms of the case's exchange, for `now`.
    all_events: every stored event, for `unique`.
    sent_times: messageId -> (sentAt text, original time text) from the request, for `skew`.
    has_duplicate_keys: whether the checked value's JSON repeated a key in some object.
    """

    def __init__(self, window_ms=None, all_events=(), sent_times=None,
                 has_duplicate_keys=False):
        self.window_ms = window_ms
        self.all_events = all_events
        self.sent_times = sent_times or {}
        self.has_duplicate_keys = has_duplicate_keys


def _check_skew(document, argument, tolerance, context):
    if isinstance(argument, dict):
        sent_at, original = argument.get("sentAt"), argument.get("original")
    else:
        sent_at, original = context.sent_times.get(document.get("messageId"), (None, None))
    times = {"sentAt": parse_time_ms(sent_at), "original": parse_time_ms(original),
             "timestamp": parse_time_ms(document.get("timestamp")),
             "receivedAt": parse_time_ms(document.get("receivedAt"))}
    unknown = [name for name, ms in times.items() if ms is None]
    if unknown:
        return f"skew: no usable {', '.join(unknown)}"
    wanted = times["receivedAt"] - (times["sentAt"] - times["original"])
    if abs(times["timestamp"] - wanted) > tolerance:
        return (f"skew: timestamp {document.get('timestamp')} is not receivedAt - "
                f"(sentAt - original) = {wanted} ms since the epoch")
    return None


def _check_operator(operator, argument, document, path, value, tolerance, context):
    found = value is not _MISSING
    shown = repr(value) if found else "nothing"
    if operator == "present":
        return None if found == bool(argument) else f"{path}: expected present={argument}"
    if operator == "absent":
        return None if found != bool(argument) else f"{path}: expected absent, got {shown}"
    if operator == "skew":
        return _check_skew(document, argument, tolerance, context) if argument else None
    if operator == "no_duplicate_keys":
        return "the JSON repeats a key" if argument and context.has_duplicate_keys else None
    if not found:
        return f"{path}: missing (wanted {operator} {argument!r})"
    if operator == "equals":
        return None if json_equal(value, argument) else f"{path}: {shown} != {argument!r}"
    if operator == "not_equals":
        return f"{path}: must not be {argument!r}" if json_equal(value, argument) else None
    if operator == "in":
        ok = any(json_equal(value, option) for option in argument)
        return None if ok else f"{path}: {shown} not in {argument!r}"
    if operator == "contains":
        return None if contains_subset(value, argument) else f"{path}: {shown} lacks {argument!r}"
    if operator == "keys":
        ok = isinstance(value, dict) and set(value) == set(argument)
        return None if ok else f"{path}: keys {sorted(value) if isinstance(value, dict) else shown}"
    if operator == "type":
        return None if _type_name_matches(value, argument) else f"{path}: {shown} is not {argument}"
    if operator == "match":
        ok = isinstance(value, str) and re.fullmatch(argument, value) is not None
        return None if ok else f"{path}: {shown} does not match {argument!r}"
    if operator == "length":
        ok = isinstance(value, (str, list, dict)) and len(value) == argument
        return None if ok else f"{path}: length of {shown} is not {argument}"
    if operator == "format":
        pattern = {"timestamp": _STORED_TIMESTAMP, "uuid4": _UUID4}.get(argument)
        ok = pattern is not None and isinstance(value, str) and pattern.fullmatch(value)
        return None if ok else f"{path}: {shown} is not in {argument} format"
    if operator == "time":
        ms, wanted = parse_time_ms(value), parse_time_ms(argument)
        ok = ms is not None and wanted is not None and abs(ms - wanted) <= tolerance
        return None if ok else f"{path}: {shown} is not the time {argument}"
    if operator == "same_time_as":
        ms, other = parse_time_ms(value), parse_time_ms(lookup(document, argument))
        ok = ms is not None and other is not None and abs(ms - other) <= tolerance
        return None if ok else f"{path}: {shown} is not the same time as {argument}"
    if operator == "now":
        ms = parse_time_ms(value)
        first, last = context.window_ms
        ok = ms is not None and first - NOW_SLACK_MS <= ms <= last + NOW_SLACK_MS
        return None if ok else f"{path}: {shown} is not within the request's time"
    if operator == "unique":
        count = sum(1 for event in context.all_events if json_equal(lookup(event, path), value))
        return None if count == 1 else f"{path}: {shown} occurs in {count} stored events"
    return f"unknown operator {operator}"


def run_check(check, document, context):
    """Every failed operator of one check, as messages (empty when it holds)."""
    path = check.get("path")
    value = lookup(document, path) if path is not None else _MISSING
    tolerance = check.get("tol_ms", DEFAULT_TOLERANCE_MS)
    failures = []
    for operator, argument in check.items():
        if operator in ("path", "tol_ms"):
            continue
        failure = _check_operator(operator, argument, document, path, value, tolerance, context)
        if failure:
            failures.append(failure)
    return failures
