#!/usr/bin/env python3
"""Writes the request bodies the wrk figures send: a fixture-sized track event and a
100-event batch of varied, realistic events (nested properties and context like the SDK
fixtures). Deterministic: the same files every run.

  make_payloads.py DIR [BODY_BYTES]

With BODY_BYTES it also writes DIR/track-sized.json: the track event padded to that size, so
that wrk can send requests as large as sluice-bench's when the two are compared."""

import json
import random
import sys

out_dir = sys.argv[1]
sized_bytes = int(sys.argv[2]) if len(sys.argv) > 2 else None
rng = random.Random(42)


def event(i):
    return {
        "type": "track",
        "userId": f"user-{rng.randint(1, 5000)}",
        "anonymousId": f"anon-{rng.getrandbits(64):016x}",
        "event": rng.choice(["Order Completed", "Product Viewed", "Signed Up", "Page Scrolled"]),
        "properties": {
            "revenue": round(rng.uniform(1, 500), 2),
            "currency": "EUR",
            "products": [{"sku": f"sku-{rng.randint(1, 999)}", "qty": rng.randint(1, 4)}],
            "coupon": None,
            "first_time": rng.random() < 0.3,
        },
        "context": {
            "library": {"name": "analytics-node", "version": "3.1.0"},
            "page": {"path": "/checkout", "url": "https://shop.example.com/checkout"},
            "locale": "de-DE",
            "userAgent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
        },
        "timestamp": "2026-11-29T10:00:00.000Z",
        "messageId": f"bench-{i}-{rng.getrandbits(48):012x}",
    }


track = event(0)
del track["type"]
with open(f"{out_dir}/track.json", "w") as f:
    json.dump(track, f, separators=(",", ":"))
with open(f"{out_dir}/batch100.json", "w") as f:
    json.dump({"batch": [event(i) for i in range(100)], "sentAt": "2026-11-29T10:00:01.000Z"},
              f, separators=(",", ":"))

if sized_bytes is not None:
    text = json.dumps(track, separators=(",", ":"))
    padding = max(0, sized_bytes - len(text) - len(',"padding":""'))
    sized = dict(track, padding="x" * padding)
    with open(f"{out_dir}/track-sized.json", "w") as f:
        json.dump(sized, f, separators=(",", ":"))
