"""The stored events as `sluice log cat` prints them, and a case's `events` selections checked
against them."""

import json

from checks import CheckContext, run_check

_WRAPPER_KEYS = ("event", "record", "data", "value")


class _KeyedObject(dict):
    """A JSON object that remembers whether its text repeated a key."""

    repeated_key = False


def _object_from_pairs(pairs):
    result = _KeyedObject()
    for key, value in pairs:
        if key in result:
            result.repeated_key = True
        result[key] = value
    return result


def _repeats_a_key(value):
    if isinstance(value, dict):
        return getattr(value, "repeated_key", False) or any(
            _repeats_a_key(item) for item in value.values())
    if isinstance(value, list):
        return any(_repeats_a_key(item) for item in value)
    return False


def _unwrap(line_object):
    """The event inside `{"seq": N, "event": {...}}`-style wrappers, else the object itself."""
    wrapped = [key for key in _WRAPPER_KEYS if isinstance(line_object.get(key), dict)]
    others = [key for key in line_object if key not in wrapped]
    numeric = [key for key in others
               if isinstance(line_object[key], int) and not isinstance(line_object[key], bool)]
    if len(wrapped) == 1 and others and numeric == others:
        return line_object[wrapped[0]]
    return line_object


class StoredEvents:
    """Parsed output of the log command: events, plus the lines that were not JSON objects."""

    def __init__(self, text):
        self.events = []
        self.repeated_keys = []  # parallel to events
        self.other_lines = []
        for line in text.splitlines():
            if not line.strip():
                continue
            try:
                parsed = json.loads(line, object_pairs_hook=_object_from_pairs)
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict):
                self.other_lines.append(line)
                continue
            event = _unwrap(parsed)
            self.events.append(event)
            self.repeated_keys.append(_repeats_a_key(event))

    def select(self, selection):
        """Indexes of the events a selection (messageId, prefix or where) picks."""
        picked = []
        for index, event in enumerate(self.events):
            message_id = event.get("messageId")
            if "messageId" in selection:
                hit = message_id == selection["messageId"]
            elif "prefix" in selection:
                hit = isinstance(message_id, str) and message_id.startswith(selection["prefix"])
            else:
                hit = not run_check(selection["where"], event, CheckContext())
            if hit:
                picked.append(index)
        return picked


def sent_times(request_json):
    """messageId -> (sentAt, original time) of each message in a request body as sent: the
    item's sentAt else the envelope's, the item's originalTimestamp else its timestamp."""
    if not isinstance(request_json, dict):
        return {}
    batch = request_json.get("batch")
    items = batch if isinstance(batch, list) else [request_json]
    envelope_sent_at = request_json.get("sentAt") if isinstance(batch, list) else None
    times = {}
    for item in items:
        if isinstance(item, dict) and "messageId" in item:
            times[item["messageId"]] = (
                item.get("sentAt", envelope_sent_at),
                item.get("originalTimestamp", item.get("timestamp")))
    return times


def selection_failures(selection, stored, window_ms, times_sent):
    """How the stored events differ from one `events` entry (empty when they match)."""
    picked = stored.select(selection)
    label = next(f"{key} {selection[key]!r}" for key in ("messageId", "prefix", "where")
                 if key in selection)
    if selection.get("absent"):
        failures = [f"{label}: {len(picked)} stored event(s), wanted none"] if picked else []
        message_id = selection.get("messageId")
        if message_id and any(message_id in line for line in stored.other_lines):
            failures.append(f"{label}: appears in a log line that is not JSON")
        return failures
    allowed = selection.get("count_in", [selection.get("count", 1)])
    if len(picked) not in allowed:
        return [f"{label}: {len(picked)} stored event(s), wanted {' or '.join(map(str, allowed))}"]
    failures = []
    for index in picked:
        context = CheckContext(window_ms=window_ms, all_events=stored.events,
                               sent_times=times_sent,
                               has_duplicate_keys=stored.repeated_keys[index])
        for check in selection.get("checks", []):
            failures += [f"{label}: {failure}"
                         for failure in run_check(check, stored.events[index], context)]
    return failures


def misses_expected_event(selection, stored):
    """True when an event that must be stored is not (yet) there: worth reading the log again."""
    if selection.get("absent"):
        return False
    allowed = selection.get("count_in", [selection.get("count", 1)])
    return len(stored.select(selection)) < min(allowed)

