#!/usr/bin/env python3
"""Runs clang-tidy 14 over every .cpp of the project in BUILD_DIR/compile_commands.json.

    scripts/run-tidy.py BUILD_DIR [--jobs N] [--record]

The checks are those of .clang-tidy (every finding is an error); headers are checked through
the files that include them (its HeaderFilterRegex). Generated sources in the build directory
are left out. Exits non-zero when clang-tidy reports anything.

A clean check is remembered: a file is skipped when a clean run already saw exactly its
preprocessed text (comments kept, so NOLINT counts), its compile flags, the .clang-tidy files
and the clang-tidy version. Paths inside the clone are recorded relative to it, so a clone in
another folder reuses the results, as ccache does with CCACHE_BASEDIR. The results live in
$SLUICE_TIDY_CACHE (default ~/.cache/sluice/tidy); SLUICE_TIDY_CACHE=off checks every file.

The clean results are also kept in the repository, in scripts/tidy-clean.txt: a run with
--record (make tidy's, over its own build directory) in which every file passed rewrites it with
the digests of exactly the files it saw, and it is committed with the sources. A fresh clone (CI) then checks only the files whose inputs no clean run has
seen, as a diff-based check would, but with headers and flags counted. On a machine whose system
headers or compiler differ, no digest matches and every file is checked.
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

MODULES = ("common", "config", "storage", "router", "api", "net", "server", "admin", "inbound",
           "warehouse", "bench", "tests")
CLANG_TIDY = os.environ.get("CLANG_TIDY", "clang-tidy-14")
RUN_CLANG_TIDY = os.environ.get("RUN_CLANG_TIDY", "run-clang-tidy-14")
# Preprocesses for the cache key: five times faster than g++ on our sources, and installed with
# clang-tidy.
CLANG = os.environ.get("CLANG", "clang++-14")
RECORD = Path(__file__).resolve().parent / "tidy-clean.txt"
RECORD_HEADER = """\
# Digests of the clang-tidy inputs (preprocessed text, flags, configuration, version) that a
# clean run has seen; written by scripts/run-tidy.py, see its description.
"""


def read_record():
    if not RECORD.exists():
        return set()
    return {line.strip() for line in RECORD.read_text().splitlines()
            if line.strip() and not line.startswith("#")}


def write_record(keys):
    RECORD.write_text(RECORD_HEADER + "".join(key + "\n" for key in sorted(set(keys))))


def project_entries(database, root):
    """The database's entries for the project's own .cpp files."""
    pattern = re.compile("^" + re.escape(str(root)) + "/(" + "|".join(MODULES) + r")/.*\.cpp$")
    return [entry for entry in database if pattern.match(entry["file"])]


def compile_arguments(entry):
    if "arguments" in entry:
        return list(entry["arguments"])
    return shlex.split(entry["command"])


def preprocess_arguments(entry):
    """The entry's compile command, run by clang, changed to print the preprocessed text with
    comments kept."""
    result = [CLANG, "-Wno-unknown-warning-option"]
    skip = False
    for argument in compile_arguments(entry)[1:]:
        if skip:
            skip = False
        elif argument == "-o":
            skip = True
        elif argument == "-c":
            result += ["-E", "-C"]
        else:
            result.append(argument)
    return result


def cache_key(entry, root, shared):
    """A digest of everything a clean clang-tidy result for this file depends on; None when
    the file cannot be preprocessed (then it is always checked)."""
    preprocessed = subprocess.run(preprocess_arguments(entry), cwd=entry["directory"],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if preprocessed.returncode != 0:
        return None
    # The clone's path appears in include flags (-I<clone>) as well as in file names.
    clone = str(root).encode()
    digest = hashlib.sha256(shared)
    digest.update(" ".join(compile_arguments(entry)).encode().replace(clone, b"<clone>"))
    digest.update(preprocessed.stdout.replace(clone, b"<clone>"))
    return digest.hexdigest()


def shared_inputs(root):
    """What every file's result depends on: the clang-tidy version and its configuration."""
    version = subprocess.run([CLANG_TIDY, "--version"], check=True, stdout=subprocess.PIPE).stdout
    configs = subprocess.run(["git", "ls-files", "-z", "--", ".clang-tidy", "*/.clang-tidy"],
                             cwd=root, check=True, stdout=subprocess.PIPE).stdout.split(b"\0")
    parts = [version] + [name + b"\0" + (root / name.decode()).read_bytes()
                         for name in sorted(configs) if name]
    return b"\0".join(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build_dir", type=Path)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--record", action="store_true",
                        help="rewrite scripts/tidy-clean.txt after a clean run")
    args = parser.parse_args()

    root = Path(__file__).resolve().parent.parent
    database_path = args.build_dir.resolve() / "compile_commands.json"
    if not database_path.is_file():
        sys.exit(f"run-tidy: {database_path} is missing; configure {args.build_dir} first")
    entries = project_entries(json.loads(database_path.read_text()), root)

    cache_setting = os.environ.get("SLUICE_TIDY_CACHE", "")
    cache_dir = None
    if cache_setting != "off":
        cache_dir = Path(cache_setting or Path.home() / ".cache/sluice/tidy")
        cache_dir.mkdir(parents=True, exist_ok=True)

    # A file compiled by several targets is checked again when any of its commands changed.
    keys = [None] * len(entries)
    if cache_dir:
        shared = shared_inputs(root)
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            keys = list(pool.map(lambda entry: cache_key(entry, root, shared), entries))
    recorded = read_record() if cache_dir else set()
    to_check = sorted({entry["file"] for entry, key in zip(entries, keys)
                       if key is None or not (key in recorded or (cache_dir / key).exists())})
    total = len({entry["file"] for entry in entries})
    print(f"run-tidy: {len(to_check)} of {total} files to check"
          f" ({total - len(to_check)} unchanged since a clean check)", flush=True)
    if not to_check:
        if args.record and cache_dir and None not in keys:
            write_record(keys)
        return 0

    files = "^(" + "|".join(re.escape(file) for file in to_check) + ")$"
    clang_tidy = shutil.which(CLANG_TIDY)
    if clang_tidy is None:
        sys.exit(f"run-tidy: {CLANG_TIDY} not found")
    # The database may come from a GCC build: clang does not know GCC-only warning flags such
    # as -Wno-restrict and would report them.
    status = subprocess.run([RUN_CLANG_TIDY, "-clang-tidy-binary", clang_tidy,
                             "-p", str(args.build_dir), "-j", str(args.jobs), "-quiet",
                             "-extra-arg=-Wno-unknown-warning-option", files]).returncode
    if status == 0 and cache_dir:
        for key in keys:
            if key is not None:
                (cache_dir / key).touch()
        if args.record and None not in keys:
            write_record(keys)
    return status


if __name__ == "__main__":
    sys.exit(main())
