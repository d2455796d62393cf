#!/usr/bin/env python3
"""Checks that docker/Dockerfile's runtime stage installs exactly the libraries sluice links.

    check-docker-libs.py BUILD/sluice [docker/Dockerfile]

Resolves every shared library of the binary with ldd, finds the Debian package that owns each
one (dpkg-query -S, trying both sides of the merged /usr: /lib and /usr/lib name the same
file, but dpkg knows it under the one its package shipped), and compares those packages with
what the Dockerfile says about its last stage:

- the packages of its `apt-get install`: each must be linked, or listed on the comment line
  `#   not-linked: ...` (ca-certificates, curl);
- the comment line `#   base-image-libs: ...` (anywhere in the file): linked packages the
  debian:12 image already has, so the Dockerfile does not install them. Each must be linked,
  and must be in that image: an Essential or Priority required package, or a dependency
  (Depends, Pre-Depends) of one, which is what a minimal Debian image holds. The closure is
  computed over this host's installed packages, so the check must run on Debian 12, the
  system the binary was built on.

Fails, naming each package, when a linked one is in neither list, when a listed one is not
linked, when a base-image one is not in the base image, or when a library is not found or
belongs to no package. Prints one line per problem and exits 1; exits 0 when all agree.
"""

import argparse
import os
import re
import subprocess
import sys

BASE_MARKER = "base-image-libs:"
NOT_LINKED_MARKER = "not-linked:"


def fail(message):
    print(f"check-docker-libs: {message}", file=sys.stderr)
    sys.exit(2)


def runtime_stage(dockerfile_text):
    """The lines of the last stage (from its FROM on), continuation lines joined."""
    lines = dockerfile_text.splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(r"\s*FROM\s", line, re.I)]
    if not starts:
        fail("the Dockerfile has no FROM")
    joined, current = [], ""
    for line in lines[starts[-1]:]:
        if line.lstrip().startswith("#") and not current:
            joined.append(line)
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
        else:
            joined.append(current + line)
            current = ""
    if current:
        joined.append(current)
    return joined


def marker_list(dockerfile_text, marker):
    """The words of the comment line '#   <marker> word word ...' (one per Dockerfile)."""
    for line in dockerfile_text.splitlines():
        text = line.strip()
        if text.startswith("#") and text[1:].strip().startswith(marker):
            return text[1:].strip()[len(marker):].split()
    fail(f"the Dockerfile has no '#   {marker} ...' line")


def installed_packages(stage):
    """Package names of the runtime stage's `apt-get install` commands."""
    packages = []
    for line in stage:
        if line.lstrip().startswith("#"):
            continue
        for match in re.finditer(r"apt-get\s+install\s+([^;&|]*)", line):
            packages += [word for word in match.group(1).split() if not word.startswith("-")]
    if not packages:
        fail("the Dockerfile's runtime stage installs no package with apt-get install")
    return packages


def linked_libraries(binary):
    """Absolute paths of the libraries ldd resolves, the dynamic loader included."""
    result = subprocess.run(["ldd", binary], capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"ldd {binary} failed: {result.stderr.strip()}")
    paths, missing = [], []
    for line in result.stdout.splitlines():
        line = line.strip()
        if "=>" in line:
            name, target = (part.strip() for part in line.split("=>", 1))
            if target.startswith("not found"):
                missing.append(name)
            elif target.startswith("/"):
                paths.append(target.split()[0])
        elif line.startswith("/"):
            paths.append(line.split()[0])
    return paths, missing


def merged_usr_aliases(path):
    """The path, the file it links to, and each under both /lib and /usr/lib."""
    aliases = []
    for candidate in (path, os.path.realpath(path)):
        other_side = candidate[4:] if candidate.startswith("/usr/") else "/usr" + candidate
        for alias in (candidate, other_side):
            if alias not in aliases:
                aliases.append(alias)
    return aliases


def owners(paths):
    """Maps each path dpkg knows to the packages that own it (architecture stripped)."""
    result = subprocess.run(["dpkg-query", "-S", *paths], capture_output=True, text=True)
    owned = {}
    for line in result.stdout.splitlines():
        if line.startswith("diversion ") or ": " not in line:
            continue
        names, path = line.split(": ", 1)
        owned[path.strip()] = [name.strip().split(":")[0] for name in names.split(",")]
    return owned


def base_image_packages():
    """Essential and Priority required packages and everything they depend on, installed here.

    Returns {package: the package that pulls it in, or None for a root}."""
    fields = ("${Package}\t${Essential}\t${Priority}\t${Pre-Depends}\t${Depends}\t${Provides}\t"
              "${db:Status-Abbrev}\n")
    result = subprocess.run(["dpkg-query", "-W", "-f=" + fields], capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"dpkg-query -W failed: {result.stderr.strip()}")
    depends, providers, roots = {}, {}, []
    for line in result.stdout.splitlines():
        name, essential, priority, pre_depends, plain_depends, provides, status = line.split("\t")
        if not status.startswith("ii"):
            continue
        depends[name] = [clause for clause in (pre_depends + "," + plain_depends).split(",")
                         if clause.strip()]
        for provided in provides.split(","):
            provided = provided.strip().split(" ")[0]
            if provided:
                providers.setdefault(provided, []).append(name)
        if essential == "yes" or priority == "required":
            roots.append(name)

    def installed(dependency):
        name = dependency.strip().split(" ")[0].split(":")[0]
        return [name] if name in depends else providers.get(name, [])

    pulled_in_by = {}
    stack = [(root, None) for root in roots]
    while stack:
        name, parent = stack.pop()
        if name in pulled_in_by:
            continue
        pulled_in_by[name] = parent
        for clause in depends[name]:
            for alternative in clause.split("|"):
                candidates = installed(alternative)
                if candidates:
                    stack.append((candidates[0], name))
                    break
    return pulled_in_by


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("dockerfile", nargs="?",
                        default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                             "docker", "Dockerfile"))
    args = parser.parse_args()

    with open(args.dockerfile, encoding="utf-8") as file:
        text = file.read()
    install = installed_packages(runtime_stage(text))
    base = marker_list(text, BASE_MARKER)
    not_linked = marker_list(text, NOT_LINKED_MARKER)

    problems = []
    paths, missing = linked_libraries(args.binary)
    problems += [f"{name}: ldd finds no such library" for name in missing]

    aliases = {path: merged_usr_aliases(path) for path in paths}
    owned = owners([alias for path in paths for alias in aliases[path]])
    linked = {}  # package -> the libraries of it that the binary links
    for path in paths:
        packages = next((owned[alias] for alias in aliases[path] if alias in owned), None)
        if packages is None:
            problems.append(f"{path}: no Debian package owns it")
            continue
        for package in packages:
            linked.setdefault(package, []).append(os.path.basename(path))

    for package in sorted(linked):
        if package not in install and package not in base:
            problems.append(f"{package} ({', '.join(linked[package])}) is linked but missing from "
                            "the runtime stage's apt-get install")
    for package in install:
        if package not in linked and package not in not_linked:
            problems.append(f"{package} is installed by the runtime stage but not linked (list it "
                            f"under '{NOT_LINKED_MARKER}' if it is there for another reason)")
    in_base_image = base_image_packages()
    for package in base:
        if package not in linked:
            problems.append(f"{package} is listed under '{BASE_MARKER}' but not linked")
        if package not in in_base_image:
            problems.append(f"{package} is listed under '{BASE_MARKER}' but debian:12 does not "
                            "have it: it is not Essential, not Priority required, and no such "
                            "package depends on it; install it in the runtime stage")

    if problems:
        for problem in problems:
            print(f"FAIL {problem}")
        print(f"{len(problems)} problem(s) in {args.dockerfile}")
        return 1
    print(f"ok: {len(paths)} libraries from {len(linked)} packages: "
          f"{len(linked) - len([p for p in base if p in linked])} installed by the runtime stage, "
          f"{len(base)} in the debian:12 base image")
    return 0


if __name__ == "__main__":
    sys.exit(main())
