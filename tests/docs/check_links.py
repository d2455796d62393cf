#!/usr/bin/env python3
"""Fails when a relative link in a Markdown file of the repository leads nowhere.

    check_links.py [REPOSITORY_ROOT]

Looks at every *.md file git knows or would add (`git ls-files`; without git, every *.md
outside build directories), at inline links and images `[text](target)` and reference definitions
`[name]: target`, outside code blocks and code spans. A link whose target is a URL (a scheme
such as https: or mailto:) or only an anchor (#...) is not checked. Every other target, with its
#anchor and ?query removed and percent-escapes decoded, must name a file or directory that
exists and lies inside the repository. Prints each broken link as `file:line: target (why)`,
then `N passed, N failed` over the links checked; exits 1 when one is broken.
"""

import os
import re
import subprocess
import sys
import urllib.parse

_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+[^)]*)?\)")
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def markdown_files(root):
    try:
        # Tracked files, and new ones not yet committed (ignored ones such as build output
        # excepted), so a broken link shows before the commit that would add it.
        listed = subprocess.run(
            ["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard",
             "--", "*.md"], capture_output=True, check=True, timeout=60).stdout
        names = {name for name in listed.decode("utf-8").split("\0") if name}
        return sorted(name for name in names if os.path.isfile(os.path.join(root, name)))
    except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired):
        pass
    found = []
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [name for name in subdirectories
                             if not name.startswith(("build", "."))]
        found += [os.path.relpath(os.path.join(directory, name), root)
                  for name in files if name.endswith(".md")]
    return sorted(found)


def link_targets(text):
    """(line number, target) of every link outside code."""
    in_fence = False
    for number, line in enumerate(text.splitlines(), start=1):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        line = _CODE_SPAN.sub("", line)
        for match in _INLINE_LINK.finditer(line):
            yield number, match.group(1).strip("<>")
        reference = _REFERENCE.match(line)
        if reference:
            yield number, reference.group(1).strip("<>")


def is_local(target):
    """True for a target that names a path: not a URL, not only an anchor."""
    return bool(target) and not target.startswith("#") and not _SCHEME.match(target)


def problem_with(target, source, root):
    """Why a local link target is broken, or None when it is fine."""
    path = urllib.parse.unquote(re.split(r"[#?]", target, maxsplit=1)[0])
    base = root if path.startswith("/") else os.path.dirname(os.path.join(root, source))
    resolved = os.path.realpath(os.path.join(base, path.lstrip("/")))
    real_root = os.path.realpath(root)
    if os.path.commonpath([resolved, real_root]) != real_root:
        return "outside the repository"
    if not os.path.exists(resolved):
        return "no such file"
    return None


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), "..", ".."))
    checked = broken = 0
    for source in markdown_files(root):
        with open(os.path.join(root, source), encoding="utf-8") as markdown:
            text = markdown.read()
        for number, target in link_targets(text):
            if not is_local(target):
                continue
            why = problem_with(target, source, root)
            checked += 1
            if why:
                broken += 1
                print(f"{source}:{number}: {target} ({why})")
    print(f"{checked - broken} passed, {broken} failed")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
