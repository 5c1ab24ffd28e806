"""The rule registry (cleaners/rules.py, rule_kinds.py): one switch, unique names, checks for every code rule."""

import pytest

from cleaners.config import Settings
from cleaners.document import clean_document
from cleaners.lines import strip_lines
from cleaners.records import RawDoc
from cleaners.rules import ALL, CODE_RULES, RULES, Scope, rule, rule_set


def test_one_switch_turns_pattern_and_code_rules_on_and_off_by_prefix():
    only = rule_set(enabled=("subscribe",))
    assert only.patterns and all(r.name.startswith("subscribe") for r in only.patterns)
    assert "markup.share" not in only and "site.repeated" not in only
    no_credit = rule_set(disabled=("credit", "markup.credit", "site"))
    assert not any(r.name.startswith("credit") for r in no_credit.patterns)
    assert "markup.credit" not in no_credit and "site.repeated" not in no_credit and "markup.share" in no_credit
    assert ALL.on == {r.name for r in RULES} | {c.name for c in CODE_RULES}
    # A code rule switched off is off in the stripping too.
    lines = ["A headline", "A headline", *[f"Body sentence number {i} of the story." for i in range(6)]]
    assert [r.rule for r in strip_lines(lines, "A headline").removed] == ["title.headline", "title.repeat"]
    assert not strip_lines(lines, "A headline", rule_set(disabled=("title",))).removed


def test_rule_names_are_unique_and_dotted_and_a_bad_rule_fails_at_import():
    names = [r.name for r in RULES] + [c.name for c in CODE_RULES]
    assert len(names) == len(set(names))
    assert all(n.count(".") == 1 for n in names)
    with pytest.raises(TypeError, match="scope must be a Scope"):
        rule("test.bad_scope", r"^x$", scope="tial")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="family.variant"):
        rule("NoDot", r"^x$")
    with pytest.raises(ValueError):
        Scope("tial")


def test_unknown_rule_prefixes_fail_in_the_config():
    from cleaners.config import BoilerplateConfig

    with pytest.raises(ValueError, match="no rule starts with"):
        BoilerplateConfig(disabled_rules=("subscrib.typo",))


def test_markup_rules_obey_the_rule_switches():
    from tests.data.make_golden import PAGES

    raw = RawDoc("p.html", None, "file", html=(PAGES / "credits_captions.html").read_bytes())
    on = clean_document(raw, Settings())
    d = Settings().to_dict()
    off = clean_document(
        raw, Settings.from_dict({**d, "boilerplate": {**d["boilerplate"], "disabled_rules": ["markup"]}})
    )
    caption = "Containerbrücken am Terminal Burchardkai in der Abenddämmerung"
    assert ("markup.caption", caption) in [(r.rule, r.line) for r in on.removed]
    assert caption in off.lines and not any(r.rule.startswith("markup.") for r in off.removed)


def test_code_rules_obey_the_rule_switches_too():
    body = [f"Paragraph {i} of the story about the harbour strike and what it means for shipping." for i in range(8)]
    bio = "Jane Roe has covered ports and logistics for the Harbour Times since 2015 and lives in Delft."
    lines = ["Jane Roe"] + body + ["- /", bio]
    d = Settings().to_dict()
    raw = RawDoc("t.txt", None, "file", text="Headline\n" + "\n".join(lines), fmt="txt")
    on = clean_document(raw, Settings.from_dict({**d, "boilerplate": {**d["boilerplate"]}}))
    assert {"junk.no_text"} <= {r.rule for r in on.removed}
    off = clean_document(
        raw, Settings.from_dict({**d, "boilerplate": {**d["boilerplate"], "disabled_rules": ["junk", "byline"]}})
    )
    assert "- /" in off.lines and not any(r.rule.startswith(("junk.", "byline.")) for r in off.removed)
    out = strip_lines(
        ["Jane Roe"] + body + [bio],
        None,
        rule_set(disabled=("byline.bio", "byline.repeat")),
        byline="Jane Roe",
    )
    assert out.kept[0] == "Jane Roe" and out.kept[-1] == bio
