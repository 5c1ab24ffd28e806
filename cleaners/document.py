"""The per-document chain: decode -> extract -> normalize -> strip rule boilerplate."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from cleaners.config import Settings
from cleaners.dates import parse_date, precision
from cleaners.decode import DecodeError, decode_bytes
from cleaners.extract import TooDeep, extract_html
from cleaners.language import detect_language
from cleaners.lines import strip_lines
from cleaners.markup import NO_MARKUP
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


def clean_document(raw: RawDoc, settings: Settings) -> CleanDoc | Reject:
    """Turn one raw input into a cleaned body with metadata, or a Reject with its reason."""
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
                return _reject(
                    raw, Stage.READ, RejectReason.TOO_LARGE, f"{len(html)} bytes > max_doc_bytes {limits.max_doc_bytes}"
                )
            try:
                html = decode_bytes(html)
            except DecodeError as e:
                return _reject(raw, Stage.DECODE, e.reason, e.detail)
        if len(html) > limits.max_doc_bytes:
            return _reject(
                raw, Stage.READ, RejectReason.TOO_LARGE, f"{len(html)} chars > max_doc_bytes {limits.max_doc_bytes}"
            )
        if not html.strip():
            return _reject(raw, Stage.READ, RejectReason.EMPTY, "no content")
        if "<" not in html[:65536]:
            return _reject(raw, Stage.EXTRACT, RejectReason.NOT_HTML, "no markup in the first 64 KiB")
        # A record's own date wins over the page's, so the page's date search is skipped then.
        try:
            ex = extract_html(html, url, settings.extract, with_date=own_date is None)
        except TooDeep as e:
            return _reject(raw, Stage.EXTRACT, RejectReason.TOO_DEEP, str(e))
        if ex is None:
            return _reject(raw, Stage.EXTRACT, RejectReason.NO_MAIN_CONTENT, "trafilatura found no article text")
        typed = classify(ex.page)
        if typed.page_type not in settings.extract.page_types:
            return replace(
                _reject(raw, Stage.EXTRACT, RejectReason.NOT_AN_ARTICLE, _type_detail(typed)),
                page_type=typed.page_type.value,
                page_type_score=round(typed.score, 4),
            )
        body = ex.text
        title = title or ex.title
        author = ex.author
        meta_date = ex.date
        url = url or ex.url
        markup = ex.markup
        site_name = ex.sitename
        page_type, page_type_score = typed.page_type.value, round(typed.score, 4)
    elif raw.text is not None:
        body = raw.text
        if len(body) > limits.max_doc_bytes:
            return _reject(
                raw, Stage.READ, RejectReason.TOO_LARGE, f"{len(body)} chars > max_doc_bytes {limits.max_doc_bytes}"
            )
        if raw.fmt == "txt" and title is None:
            # Plain-text dumps: the first non-empty line is the headline, when it is short
            # enough to be one (a dump that is one long line is all body).
            head, _, rest = body.lstrip().partition("\n")
            if len(head) <= MAX_HEADLINE_CHARS:
                title, body = head, rest
    else:
        return _reject(raw, Stage.READ, RejectReason.NO_CONTENT, "record has neither html nor text")

    if title:
        title = normalize_line(title, settings.normalize)[:1000] or None
    lines = [ln[: limits.max_line_chars] for ln in split_lines(body, settings.normalize)]
    if not lines:
        return _reject(raw, Stage.CLEAN, RejectReason.EMPTY, "no text after normalization")
    bp = settings.boilerplate
    stripped = strip_lines(lines, title, bp.rules, markup, bp.keep_headline, _clean_author(author, settings))
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
    )
    return doc
