"""Rewrite the golden outputs of tests/data/golden/pages/*.html from the current cleaner.

    python tests/data/make_golden.py

Run it only after a deliberate change to cleaning, then read the diff: the golden files are
the reviewed record of what each page must come out as.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from cleaners.config import Settings  # noqa: E402
from cleaners.document import clean_document  # noqa: E402
from cleaners.records import RawDoc  # noqa: E402

PAGES = Path(__file__).resolve().parent / "golden" / "pages"


def render(path: Path) -> tuple[str, dict]:
    doc = clean_document(RawDoc(path.name, None, "file", html=path.read_bytes()), Settings())
    meta = {
        "title": doc.title,
        "author": doc.author,
        "published_at": doc.published_at.isoformat() if doc.published_at else None,
        "removed": [[r.position, r.line, r.rule] for r in doc.removed],
    }
    return doc.text + "\n", meta


if __name__ == "__main__":
    for page in sorted(PAGES.glob("*.html")):
        text, meta = render(page)
        page.with_suffix(".clean.txt").write_text(text)
        page.with_suffix(".removed.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
        print(f"{page.name}: {len(meta['removed'])} removed lines")
