#!/usr/bin/env python3
"""What one fdatasync costs on this machine's disk: the floor under every fsync-mode latency.

Appends 4 KiB to a new file in DIR and calls fdatasync after each append, as a write-ahead
log does, COUNT times; prints the latency percentiles as JSON.

  bench/fsync_probe.py DIR [COUNT]
"""

import json
import os
import sys
import time


def main():
    directory = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    path = os.path.join(directory, "fsync-probe.tmp")
    block = os.urandom(4096)
    latencies = []
    fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    try:
        for _ in range(count):
            os.write(fd, block)
            started = time.perf_counter()
            os.fdatasync(fd)
            latencies.append((time.perf_counter() - started) * 1e6)
    finally:
        os.close(fd)
        os.remove(path)
    latencies.sort()

    def at(q):
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))])

    print(json.dumps({"count": count, "p50_us": at(0.5), "p90_us": at(0.9), "p99_us": at(0.99),
                      "max_us": round(latencies[-1])}))


if __name__ == "__main__":
    main()
