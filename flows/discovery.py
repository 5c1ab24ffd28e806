"""Discovery: inputs (files, directories, globs) -> the files to read, and the ones refused, with why.

Every file found under an input is accounted for: it is read, or it is a `Reject` before it is
ever opened, so it lands in `rejects` with a reason and the rest of the inbox goes on:

- `outside_input`: a file link that leads outside the input it was found under (the folder
  given, or the fixed part of a glob: `inbox/*.txt` is under `inbox/`), unless
  `allow_outside_links`;
- `bad_file_name`: a name that is not valid UTF-8 (the tables' `source` is a string column);
  the reject's `source` is the name with its bytes escaped (`\\xe9`);
- `unreadable`: a folder under an input that cannot be listed (permissions): retried next run.

Directory links are never followed (no loops, nothing outside the input), hidden names (a
leading `.`) are skipped, and a file reached twice is read once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from cleaners.records import Reject, RejectReason, Stage

GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class Discovery:
    """What the inputs name: files to read, files refused before opening, inputs matching nothing."""

    files: list[str] = field(default_factory=list)
    """Absolute paths, each a regular file or link to one (readers reject pipes and devices)."""
    refused: list[Reject] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def is_glob(item: str) -> bool:
    """Whether an input is a glob pattern (and not an existing path that happens to hold `*?[`)."""
    return bool(GLOB_CHARS & set(item)) and not os.path.lexists(item)


def escaped(path: str) -> str:
    """A path as valid UTF-8 text: bytes that are not UTF-8 written as `\\xNN`."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _valid_name(path: str) -> bool:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def glob_base(pattern: str) -> str:
    """The fixed folder a glob starts from: `inbox/2026/*.txt` -> `inbox/2026`."""
    return _split_glob(pattern)[0]


def _split_glob(pattern: str) -> tuple[str, str]:
    """(fixed folder, the rest as a '/'-separated pattern)."""
    parts = pattern.split(os.sep)
    fixed = next(i for i, part in enumerate(parts) if GLOB_CHARS & set(part))
    base = os.sep.join(parts[:fixed]) or ("." if not pattern.startswith(os.sep) else os.sep)
    return base, "/".join(parts[fixed:])


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob pattern as a regex over '/'-separated paths: `**/` any depth, `*` `?` `[..]` in one name."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and (j := pattern.find("]", i + 1)) > i:
            body = pattern[i + 1 : j]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body).replace("\\", "\\\\") + "]")
            i = j + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


class _Walk:
    """os.walk without following directory links, remembering the folders it could not list."""

    def __init__(self) -> None:
        self.unreadable: list[tuple[str, str]] = []

    def __call__(self, root: str) -> Iterator[tuple[str, list[str], list[str]]]:
        def failed(e: OSError) -> None:
            self.unreadable.append((e.filename or root, e.strerror or str(e)))

        for dirpath, dirs, names in os.walk(root, followlinks=False, onerror=failed):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            yield dirpath, dirs, sorted(n for n in names if not n.startswith("."))
            dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(dirpath, d))]


def expand(item: str) -> list[str]:
    """Paths an input names: itself when it exists, else the matches of its glob pattern.

    `**` matches any depth but never follows a directory link, so a link loop cannot repeat
    or hang discovery.
    """
    return _expand(item, _Walk())


def _expand(item: str, walk: _Walk) -> list[str]:
    if not is_glob(item):
        return [item] if os.path.lexists(item) else []
    base, rest = _split_glob(item)
    regex = _glob_regex(rest)
    if not os.path.isdir(base):
        return []
    out: list[str] = []
    for dirpath, dirs, names in walk(base):
        rel_dir = os.path.relpath(dirpath, base)
        rel_dir = "" if rel_dir == "." else rel_dir.replace(os.sep, "/") + "/"
        out.extend(os.path.join(dirpath, n) for n in sorted(dirs + names) if regex.match(rel_dir + n))
    return sorted(out)


def _files_under(root: str, walk: _Walk) -> Iterator[str]:
    for dirpath, _dirs, names in walk(root):
        for name in names:
            yield os.path.join(dirpath, name)


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def discover(inputs: Iterable[str], allow_outside_links: bool = False) -> Discovery:
    """Expand files, directories (recursively) and globs into files to read, refused files and misses.

    A file given by name is read whatever it links to (the user named it); a file found under
    a directory or by a glob must stay inside that directory or the glob's fixed folder.
    """
    found: list[tuple[str, str | None]] = []  # (path, the folder it must stay inside, or None)
    missing: list[str] = []
    walk = _Walk()
    for item in inputs:
        glob = is_glob(item)
        paths = _expand(item, walk)
        if not paths:
            missing.append(item)
        base = os.path.realpath(glob_base(item)) if glob else None
        for p in paths:
            if os.path.isdir(p):
                if not os.path.islink(p):
                    root = base or os.path.realpath(p)
                    found.extend((f, root) for f in _files_under(p, walk))
            else:
                found.append((p, base))
    files: list[str] = []
    refused: list[Reject] = []
    seen: set[str] = set()
    for path, inside in found:
        absolute = os.path.abspath(path)
        if not _valid_name(absolute):
            refused.append(_reject(escaped(absolute), RejectReason.BAD_FILE_NAME, _bad_name_detail()))
            continue
        real = os.path.realpath(path)
        if inside is not None and os.path.islink(path) and not allow_outside_links and not _inside(real, inside):
            refused.append(
                _reject(
                    absolute,
                    RejectReason.OUTSIDE_INPUT,
                    f"a link to {real}, outside the input folder; allow with allow_outside_links",
                )
            )
            continue
        if real not in seen:
            seen.add(real)
            files.append(absolute)
    for folder, why in walk.unreadable:
        name = os.path.abspath(folder)
        refused.append(
            _reject(
                escaped(name),
                RejectReason.UNREADABLE,
                f"folder cannot be listed ({why}); its files are read once its permissions allow it",
                locator="folder",
            )
        )
    return Discovery(files, _unique(refused), missing)


def _bad_name_detail() -> str:
    return "the file name is not valid UTF-8 (shown with its bytes escaped); rename the file to read it"


def _reject(source: str, reason: RejectReason, detail: str, locator: str = "file") -> Reject:
    return Reject(source, None, locator, Stage.READ, reason, detail)


def _unique(rejects: list[Reject]) -> list[Reject]:
    out: dict[str, Reject] = {}
    for r in rejects:
        out.setdefault(r.doc_id, r)
    return list(out.values())


def unreadable_input(item: str) -> str | None:
    """Why an input given by name cannot be read at all (a folder that cannot be listed), or None."""
    if is_glob(item) or not os.path.isdir(item):
        return None
    try:
        with os.scandir(item):
            return None
    except OSError as e:
        return f"input folder cannot be read: {item} ({e.strerror}); fix its permissions"


def reaches(item: str, target: str) -> bool:
    """Whether an input (a folder or a glob) would read `target` or files under it, even before
    `target` exists: a glob reaches it when its fixed folder holds it and the pattern's names
    match the path down to it (a matched folder is read whole), or the pattern has `**`."""
    real_target = os.path.realpath(target)
    if not is_glob(item):
        return os.path.isdir(item) and _inside(real_target, os.path.realpath(item))
    base, rest = _split_glob(item)
    real_base = os.path.realpath(base)
    if not _inside(real_target, real_base) or real_target == real_base:
        return real_target == real_base
    if "**" in rest:
        return True
    names = os.path.relpath(real_target, real_base).split(os.sep)
    pattern = rest.split("/")
    return all(_glob_regex(p).match(n) for p, n in zip(pattern, names))
