"""The per-document chain: decode -> extract -> normalize -> strip rule boilerplate."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from cleaners.arbitrate import AGREE, Bodies, Candidate, Choice, agreement, choose, features
from cleaners.candidates import extra_lines, judge_text, merge_lines, shingles
from cleaners.config import Settings
from cleaners.dates import parse_date, precision
from cleaners.decode import DecodeError, decode_bytes
from cleaners.extract import Extracted, TooDeep, extract_html
from cleaners.language import detect_language
from cleaners.lines import Stripped, strip_lines
from cleaners.markup import NO_MARKUP, Markup
from cleaners.normalize import normalize_line, split_lines
from cleaners.page_types import PageType, Typed, classify
from cleaners.records import CleanDoc, RawDoc, Reject, RejectReason, Stage


def domain_of(url: str | None) -> str | None:
    """Lower-case host of `url` without a leading `www.`; None when there is no host."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


MAX_HEADLINE_CHARS = 500
"""Longest first line of a text dump taken as its headline; a longer one is body text."""


def _type_detail(typed: Typed) -> str:
    """Why a page is not an article, in one line: its type, how sure, the evidence that weighed most."""
    evidence = f"; evidence: {', '.join(typed.evidence)}" if typed.evidence else ""
    return f"page type {typed.page_type.value} (P(article) {1 - typed.score:.2f}){evidence}; keep with page_types"


def _reject(raw: RawDoc, stage: Stage, reason: RejectReason, detail: str = "") -> Reject:
    return Reject(raw.source, raw.source_id, raw.locator, stage, reason, detail[:500], raw.key, raw.raw_hash)


def _clean_author(author: str | None, settings: Settings) -> str | None:
    """Normalized byline without a leading 'By' and trailing separators ('Jane Roe •')."""
    if not author:
        return None
    a = normalize_line(author, settings.normalize)[:500].strip(" •|·-–—,;:/")
    if a.lower().startswith("by "):
        a = a[3:].strip()
    return a or None


@dataclass(frozen=True, slots=True)
class Body:
    """The lines a body was cleaned from, what the rules kept of them, and which candidate it is."""

    lines: list[str]
    stripped: Stripped
    choice: Choice


@dataclass(frozen=True, slots=True)
class Weighed:
    """Every candidate's cleaned body of one page and the model's evidence (for fitting the model)."""

    texts: dict[Candidate, str]
    evidence: list[float]
    agreement: float
    """How much the two extracted texts agree (`cleaners.arbitrate.agreement`); a page at or over
    `AGREE` is not weighed in a run, but its row still teaches the model."""


class _Stripper:
    """Split a candidate's text into lines and strip them, as every candidate of a page is."""

    def __init__(self, title: str | None, markup: Markup, author: str | None, settings: Settings) -> None:
        self.title, self.markup, self.author, self.settings = title, markup, author, settings

    def lines(self, text: str) -> list[str]:
        cut = self.settings.limits.max_line_chars
        return [ln[:cut] for ln in split_lines(text, self.settings.normalize)]

    def strip(self, lines: list[str]) -> Stripped:
        bp = self.settings.boilerplate
        return strip_lines(lines, self.title, bp.rules, self.markup, bp.keep_headline, self.author)


def _removed_share(lines: list[str], kept: list[str]) -> float:
    return 1.0 - sum(map(len, kept)) / max(1, sum(map(len, lines)))


def _candidates(ex: Extracted, html: str, p_article: float, st: _Stripper, weigh: bool) -> tuple[Body, Weighed | None]:
    """The page's body (`cleaners.arbitrate`): trafilatura's unless the model prefers readability's
    or the merge. With `weigh`, trafilatura's body and every candidate's text with the evidence,
    the model not asked and pages of close agreement weighed too (what the model is fitted on)."""
    a_lines = st.lines(ex.text)
    a = st.strip(a_lines)
    if not (st.settings.extract.arbitrate or weigh) or not ex.readability_text.strip():
        return Body(a_lines, a, Choice(Candidate.TRAFILATURA)), None
    agree = agreement(ex.text, ex.readability_text)
    if agree == 1.0 or (agree >= AGREE and not weigh):  # the same body, or close: nothing to weigh
        return Body(a_lines, a, Choice(Candidate.TRAFILATURA, agreement=agree)), None
    b_lines = st.lines(ex.readability_text)
    b = st.strip(b_lines)
    judge = judge_text(html)
    extra = extra_lines(a.kept, b.kept, shingles(judge))
    merged_kept = merge_lines(a.kept, b.kept, extra)
    bodies = Bodies(a.kept, b.kept, merged_kept, _removed_share(a_lines, a.kept), _removed_share(b_lines, b.kept))
    evidence = features(bodies, judge, ex.page, p_article)
    m_lines = merge_lines(a_lines, b_lines, extra)
    if weigh:  # every candidate's text for the fit; the choice is the caller's (trafilatura's body here)
        texts = {Candidate.TRAFILATURA: a.kept, Candidate.READABILITY: b.kept, Candidate.MERGED: st.strip(m_lines).kept}
        return Body(a_lines, a, Choice(Candidate.TRAFILATURA)), Weighed(
            {c: "\n".join(k) for c, k in texts.items()}, evidence, agree
        )
    choice = choose(evidence)
    if choice.candidate is Candidate.READABILITY:
        return Body(b_lines, b, choice), None
    if choice.candidate is Candidate.MERGED:
        return Body(m_lines, st.strip(m_lines), choice), None
    return Body(a_lines, a, choice), None


def clean_document(raw: RawDoc, settings: Settings) -> CleanDoc | Reject:
    """Turn one raw input into a cleaned body with metadata, or a Reject with its reason."""
    return _clean(raw, settings, weigh=False)[0]


def weigh_candidates(raw: RawDoc, settings: Settings) -> tuple[CleanDoc | Reject, Weighed | None]:
    """The document cleaned from trafilatura's body and, for a page with a second candidate, every
    candidate's cleaned text and the arbitration evidence (what `benchmarks.arbitration` fits on)."""
    return _clean(raw, settings, weigh=True)


def _clean(raw: RawDoc, settings: Settings, weigh: bool) -> tuple[CleanDoc | Reject, Weighed | None]:
    limits = settings.limits
    title = raw.title
    author: str | None = None
    meta_date: str | None = None
    markup = NO_MARKUP
    page_type, page_type_score = PageType.ARTICLE.value, None  # text without markup is an article
    url = raw.url
    site_name: str | None = None
    own_date = parse_date(raw.published_at, plausible=False)
    if raw.html is not None:
        html = raw.html
        if isinstance(html, bytes):
            if len(html) > limits.max_doc_bytes:
                return _rejected(
                    raw, Stage.READ, RejectReason.TOO_LARGE, f"{len(html)} bytes > max_doc_bytes {limits.max_doc_bytes}"
                )
            try:
                html = decode_bytes(html)
            except DecodeError as e:
                return _rejected(raw, Stage.DECODE, e.reason, e.detail)
        if len(html) > limits.max_doc_bytes:
            return _rejected(
                raw, Stage.READ, RejectReason.TOO_LARGE, f"{len(html)} chars > max_doc_bytes {limits.max_doc_bytes}"
            )
        if not html.strip():
            return _rejected(raw, Stage.READ, RejectReason.EMPTY, "no content")
        if "<" not in html[:65536]:
            return _rejected(raw, Stage.EXTRACT, RejectReason.NOT_HTML, "no markup in the first 64 KiB")
        # A record's own date wins over the page's, so the page's date search is skipped then.
        try:
            ex = extract_html(html, url, settings.extract, with_date=own_date is None)
        except TooDeep as e:
            return _rejected(raw, Stage.EXTRACT, RejectReason.TOO_DEEP, str(e))
        if ex is None:
            return _rejected(raw, Stage.EXTRACT, RejectReason.NO_MAIN_CONTENT, "trafilatura found no article text")
        typed = classify(ex.page)
        if typed.page_type not in settings.extract.page_types:
            return replace(
                _reject(raw, Stage.EXTRACT, RejectReason.NOT_AN_ARTICLE, _type_detail(typed)),
                page_type=typed.page_type.value,
                page_type_score=round(typed.score, 4),
            ), None
        title = normalize_title(title or ex.title, settings)
        author = ex.author
        meta_date = ex.date
        url = url or ex.url
        markup = ex.markup
        site_name = ex.sitename
        page_type, page_type_score = typed.page_type.value, round(typed.score, 4)
        st = _Stripper(title, markup, _clean_author(author, settings), settings)
        chosen, weighed = _candidates(ex, html, typed.score, st, weigh)
    elif raw.text is not None:
        body = raw.text
        if len(body) > limits.max_doc_bytes:
            return _rejected(
                raw, Stage.READ, RejectReason.TOO_LARGE, f"{len(body)} chars > max_doc_bytes {limits.max_doc_bytes}"
            )
        if raw.fmt == "txt" and title is None:
            # Plain-text dumps: the first non-empty line is the headline, when it is short
            # enough to be one (a dump that is one long line is all body).
            head, _, rest = body.lstrip().partition("\n")
            if len(head) <= MAX_HEADLINE_CHARS:
                title, body = head, rest
        title = normalize_title(title, settings)
        st = _Stripper(title, markup, None, settings)
        lines = st.lines(body)
        chosen, weighed = Body(lines, st.strip(lines), Choice(Candidate.TEXT)), None
    else:
        return _rejected(raw, Stage.READ, RejectReason.NO_CONTENT, "record has neither html nor text")

    if not chosen.lines:
        return _rejected(raw, Stage.CLEAN, RejectReason.EMPTY, "no text after normalization")
    stripped = chosen.stripped
    author = author or stripped.author
    date_error = f"unparseable published_at {raw.published_at[:80]!r}" if raw.published_at and not own_date else None
    published, published_from = next(
        ((d, src) for d, src in ((own_date, raw.published_at), (parse_date(meta_date), meta_date)) if d),
        (parse_date(stripped.date), stripped.date),
    )
    doc = CleanDoc(
        source=raw.source,
        source_id=raw.source_id,
        locator=raw.locator,
        url=url,
        domain=domain_of(url),
        title=title,
        author=_clean_author(author, settings),
        published_at=published,
        published_precision=precision(published_from) if published else None,
        lines=stripped.kept,
        positions=stripped.positions,
        removed=stripped.removed,
        date_error=date_error,
        site_name=site_name,
        language=detect_language("\n".join(stripped.kept)),
        page_type=page_type,
        page_type_score=page_type_score,
        raw_hash=raw.raw_hash,
        key=raw.key,
        extraction=chosen.choice.candidate.value,
        extraction_why=chosen.choice.why(),
    )
    return doc, weighed


def _rejected(raw: RawDoc, stage: Stage, reason: RejectReason, detail: str = "") -> tuple[Reject, None]:
    return _reject(raw, stage, reason, detail), None


def normalize_title(title: str | None, settings: Settings) -> str | None:
    """The title as stored: normalized, at most 1,000 characters, None when empty."""
    return (normalize_line(title, settings.normalize)[:1000] or None) if title else None
