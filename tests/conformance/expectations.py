"""A case's `expect` block checked against one HTTP response."""

import json
import re

from checks import CheckContext, run_check


def _status_matches(status, wanted):
    if isinstance(wanted, list):
        return any(_status_matches(status, option) for option in wanted)
    if isinstance(wanted, str) and re.fullmatch(r"[1-5]xx", wanted):
        return status // 100 == int(wanted[0])
    return status == wanted


def _header_failures(response, name, rule):
    value = response.header(name)
    rules = rule if isinstance(rule, dict) else {"equals": rule}
    failures = []
    for operator, argument in rules.items():
        if operator == "present" and (value is not None) != bool(argument):
            failures.append(f"header {name}: expected present={argument}")
        elif operator == "absent" and (value is None) != bool(argument):
            failures.append(f"header {name}: expected absent, got {value!r}")
        elif operator in ("present", "absent"):
            continue
        elif value is None:
            failures.append(f"header {name}: missing (wanted {operator} {argument!r})")
        elif operator == "equals" and value != argument:
            failures.append(f"header {name}: {value!r} != {argument!r}")
        elif operator == "contains" and argument.lower() not in value.lower():
            failures.append(f"header {name}: {value!r} does not contain {argument!r}")
        elif operator == "tokens":
            tokens = {token.strip().lower() for token in value.split(",")}
            missing = [token for token in argument if token.lower() not in tokens]
            if missing:
                failures.append(f"header {name}: {value!r} lacks {', '.join(missing)}")
        elif operator == "match" and not re.fullmatch(argument, value):
            failures.append(f"header {name}: {value!r} does not match {argument!r}")
    return failures


def _rejected_failures(body, wanted, optional):
    listed = body.get("rejected") if isinstance(body, dict) else None
    if optional and not listed:
        return []
    if not isinstance(listed, list):
        return [f"body has no rejected list (wanted indexes "
                f"{[entry['index'] for entry in wanted]})"]
    failures = []
    by_index = {}
    for entry in listed:
        if not isinstance(entry, dict) or not isinstance(entry.get("index"), int):
            failures.append(f"rejected entry without an index: {entry!r}")
            continue
        by_index[entry["index"]] = entry
        if not isinstance(entry.get("message"), str):
            failures.append(f"rejected entry {entry['index']} has no message")
    wanted_indexes = sorted(entry["index"] for entry in wanted)
    if sorted(by_index) != wanted_indexes or len(listed) != len(wanted):
        failures.append(f"rejected indexes {sorted(by_index)} != {wanted_indexes}")
    for entry in wanted:
        got = by_index.get(entry["index"])
        codes = entry.get("code")
        if got is None or codes is None:
            continue
        codes = codes if isinstance(codes, list) else [codes]
        if got.get("code") not in codes:
            failures.append(f"rejected {entry['index']}: code {got.get('code')!r} not in {codes}")
    return failures


def check_response(expect, response, raw=False):
    """Every way the response differs from expect, as messages (empty when it matches)."""
    failures = []
    wanted_status = expect.get("status")
    if wanted_status is None:
        wanted_status = 200 if expect.get("ok") else 400 if "error" in expect else None
    if wanted_status is not None and not _status_matches(response.status, wanted_status):
        failures.append(f"status {response.status}, wanted {wanted_status}")
    if "interim" in expect and response.interim != expect["interim"]:
        failures.append(f"interim responses {response.interim}, wanted {expect['interim']}")
    for name, rule in expect.get("headers", {}).items():
        failures += _header_failures(response, name, rule)

    needs_json = expect.get("json_body", response.status != 204 and not raw)
    body = None
    try:
        body = json.loads(response.body.decode("utf-8")) if response.body else None
    except ValueError:
        pass
    if needs_json:
        media_type = (response.header("Content-Type") or "").split(";")[0].strip().lower()
        if media_type != "application/json":
            failures.append(f"Content-Type {response.header('Content-Type')!r}, wanted JSON")
        if body is None:
            failures.append(f"body is not JSON: {response.body[:120]!r}")

    if expect.get("ok"):
        if not isinstance(body, dict) or body.get("success") is not True:
            failures.append(f'body lacks "success": true: {response.body[:200]!r}')
        elif "rejected" not in expect and "rejected_if_present" not in expect and body.get(
                "rejected"):
            failures.append(f"unexpected rejections: {body['rejected']}")
    if "error" in expect:
        codes = expect["error"] if isinstance(expect["error"], list) else [expect["error"]]
        if not isinstance(body, dict) or not isinstance(body.get("code"), str) or not isinstance(
                body.get("message"), str):
            failures.append(f"error body lacks code and message: {response.body[:200]!r}")
        elif "*" not in codes and body.get("code") not in codes:
            failures.append(f"error code {body.get('code')!r}, wanted one of {codes}")
    if "rejected" in expect:
        failures += _rejected_failures(body, expect["rejected"], optional=False)
    if "rejected_if_present" in expect:
        failures += _rejected_failures(body, expect["rejected_if_present"], optional=True)
    for check in expect.get("json", []):
        failures += run_check(check, body, CheckContext())
    return failures
