"""Discovery (flows/discovery.py): every file under an input is read or refused with a reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.discovery import discover, escaped, reaches, unreadable_input
from flows.sources import read_file


def _names(paths: list[str]) -> list[str]:
    return sorted(p.rsplit("/", 1)[1] for p in paths)


def test_every_file_of_a_directory_is_taken_and_missing_inputs_are_reported(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.html").write_text("<p>x</p>")
    (tmp_path / "a" / "README.md").write_text("docs")
    (tmp_path / "a" / ".hidden.html").write_text("<p>editor backup</p>")
    (tmp_path / "b.txt").write_text("t")
    found = discover([str(tmp_path), str(tmp_path / "nope.html"), str(tmp_path / "none-*.html")])
    assert _names(found.files) == ["README.md", "b.txt", "x.html"]
    assert found.refused == [] and found.missing == [str(tmp_path / "nope.html"), str(tmp_path / "none-*.html")]
    # A file of unknown type is accounted for as a reject, never ignored without a trace.
    assert [i.reason for i in read_file(str(tmp_path / "a" / "README.md"))] == ["unsupported_format"]


def test_symlink_loops_neither_repeat_nor_hang_discovery(tmp_path):
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    (d / "sub" / "page.html").write_text("<p>x</p>")
    os.symlink(".", d / "self")
    os.symlink("..", d / "sub" / "up")
    for inputs in ([str(d)], [str(d / "**" / "*.html")], [str(d / "**")]):
        found = discover(inputs)
        assert [f for f in found.files if f.endswith(".html")] == [str(d / "sub" / "page.html")], inputs


def _linked_inbox(tmp_path: Path) -> Path:
    outside = tmp_path / "secret.txt"
    outside.write_text("root:x:0:0:not for ingestion")
    d = tmp_path / "in"
    d.mkdir()
    (d / "own.txt").write_text("Headline\nA body.")
    os.symlink(outside, d / "link.txt")
    os.symlink(d / "own.txt", d / "alias.txt")  # inside: fine, read once
    return d


@pytest.mark.parametrize("glob", [False, True])
def test_links_outside_the_input_are_refused_for_folders_and_globs_alike(tmp_path, glob):
    d = _linked_inbox(tmp_path)
    item = str(d / "*.txt") if glob else str(d)
    found = discover([item])
    assert found.files == [str(d / "alias.txt")]
    assert [(r.source, r.reason) for r in found.refused] == [(str(d / "link.txt"), "outside_input")]
    assert str(tmp_path / "secret.txt") in found.refused[0].detail
    found = discover([item], allow_outside_links=True)
    assert _names(found.files) == ["alias.txt", "link.txt"] and found.refused == []


def test_a_glob_is_bounded_by_its_fixed_folder_not_by_the_folder_a_match_sits_in(tmp_path):
    d = _linked_inbox(tmp_path)
    (d / "sub").mkdir()
    os.symlink(d / "own.txt", d / "sub" / "up.txt")  # leaves sub/ but stays inside in/
    found = discover([str(d / "*" / "*.txt")])
    assert found.files == [str(d / "sub" / "up.txt")] and found.refused == []


def test_a_file_named_by_the_user_is_read_wherever_it_links(tmp_path):
    d = _linked_inbox(tmp_path)
    found = discover([str(d / "link.txt")])
    assert found.files == [str(d / "link.txt")] and found.refused == []


def test_a_name_that_is_not_utf8_is_refused_and_the_rest_is_read(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.html").write_text("<p>x</p>")
    bad = os.fsdecode(bytes(d) + b"/latin1-\xe9t\xe9.html")
    Path(bad).write_text("<p>y</p>")
    for item in (str(d), str(d / "*.html")):
        found = discover([item])
        assert found.files == [str(d / "good.html")]
        (r,) = found.refused
        assert r.reason == "bad_file_name" and r.source == f"{d}/latin1-\\xe9t\\xe9.html"
        r.source.encode("utf-8")  # a string every table column can hold
        assert "rename" in r.detail
    assert escaped(bad) == f"{d}/latin1-\\xe9t\\xe9.html"


def test_a_bad_name_reject_keeps_one_id_across_runs(tmp_path):
    bad = os.fsdecode(bytes(tmp_path) + b"/\xff.txt")
    Path(bad).write_text("x")
    assert discover([str(tmp_path)]).refused[0].doc_id == discover([str(tmp_path)]).refused[0].doc_id


def test_a_warehouse_a_glob_would_read_is_found_even_before_it_exists(tmp_path):
    (tmp_path / "data").mkdir()
    wh = tmp_path / "data" / "warehouse"
    assert reaches(str(tmp_path / "data" / "**"), str(wh))
    assert reaches(str(tmp_path / "data" / "*"), str(wh))  # a folder a glob matches is read whole
    assert reaches(str(tmp_path / "data" / "ware*" / "*"), str(wh))
    assert not reaches(str(tmp_path / "data" / "*.jsonl"), str(wh))
    assert not reaches(str(tmp_path / "data" / "in*" / "*"), str(wh))
    assert not reaches(str(tmp_path / "other" / "*"), str(wh))
    assert reaches(str(tmp_path / "data"), str(wh)) and not reaches(str(tmp_path / "data" / "x.html"), str(wh))


# --- unreadable folders: root reads anything, so the probe runs without root's file capabilities ---

_PROBE = """
import json, sys
sys.path.insert(0, {root!r})
from flows.discovery import discover, unreadable_input
found = discover([{inbox!r}])
print(json.dumps({{"files": found.files, "refused": [[r.source, r.reason, r.locator] for r in found.refused],
                   "top": unreadable_input({inbox!r})}}))
"""


def _unprivileged(code: str) -> str:
    from tests.conftest import unprivileged

    cmd = unprivileged([sys.executable, "-c", code])
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def test_an_unreadable_folder_under_an_input_is_a_reject_not_silence(tmp_path):
    import json

    from tests.conftest import ROOT

    inbox = tmp_path / "inbox"
    (inbox / "locked").mkdir(parents=True)
    (inbox / "locked" / "page.html").write_text("<p>x</p>")
    (inbox / "page.html").write_text("<p>y</p>")
    os.chmod(inbox, 0o755)
    os.chmod(inbox / "page.html", 0o644)
    os.chmod(inbox / "locked", 0o000)
    try:
        out = json.loads(_unprivileged(_PROBE.format(root=str(ROOT), inbox=str(inbox))))
    finally:
        os.chmod(inbox / "locked", 0o755)
    assert out["files"] == [str(inbox / "page.html")]
    assert out["refused"] == [[str(inbox / "locked"), "unreadable", "folder"]]
    assert out["top"] is None


def test_an_unreadable_input_folder_is_a_problem_before_the_run(tmp_path):
    import json

    from tests.conftest import ROOT

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    os.chmod(inbox, 0o000)
    try:
        out = json.loads(_unprivileged(_PROBE.format(root=str(ROOT), inbox=str(inbox))))
    finally:
        os.chmod(inbox, 0o755)
    assert out["top"].startswith(f"input folder cannot be read: {inbox}")
    assert unreadable_input(str(inbox)) is None  # readable again
