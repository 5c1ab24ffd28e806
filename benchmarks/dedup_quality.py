"""Near-duplicate quality on real article text: newsclean (full pipeline) vs trafilatura + datasketch.

    python -m benchmarks.dedup_quality [--stories 250]

Labelled set built from the bodies of real pages (trafilatura's evaluation set): each story is
republished as 2-4 HTML pages by different invented outlets, each with its own navigation,
boilerplate inside the article (subscribe prompts, share rows, taglines, related lists, photo
credits, comment forms) and its own edit: verbatim, ~2% of words changed plus a new headline,
trimmed to the first 70% of paragraphs, or an editor's note added and the last paragraph cut.
Hard negatives: follow-up stories that quote one paragraph of another story, and short
different stories published by one outlet inside the same heavy boilerplate.
newsclean runs its real `ingest` flow on the HTML files; the baseline is what a user glues
together: `trafilatura.extract` + datasketch MinHash (128 perms, word 5-grams) +
MinHashLSH(threshold=0.8) + union-find. Pairwise precision/recall/F1 over same-story pairs.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import shutil
import sys
from pathlib import Path

import polars as pl

from benchmarks.cleaning import DEFAULT_DATA, unpack
from benchmarks.common import CACHE, machine, write_section

OUTLETS = [f"outlet{i}.example" for i in range(8)]
BOILER = {
    o: dict(
        sub=f"Subscribe to the {o.split('.')[0].title()} newsletter for daily updates",
        share="Share on Facebook | Twitter | WhatsApp | Email",
        tag=f"{o.split('.')[0].title()} is an independent newsroom covering the region since 19{50 + i}.",
        related="Related articles:",
        rel_items=[f"More news from {o} number {k}" for k in range(3)],
        credit=f"Photo by Staff Photographer/{o.split('.')[0].upper()}",
        heavy=" ".join([f"About {o}: we publish local reporting, opinion and analysis every day of the week."] * 4),
    )
    for i, o in enumerate(OUTLETS)
}


def page(outlet: str, title: str, paras: list[str], heavy: bool = False) -> str:
    b = BOILER[outlet]
    body = [f"<p>{html.escape(b['credit'])}</p>"]
    for i, p in enumerate(paras):
        body.append(f"<p>{html.escape(p)}</p>")
        if i == 1:
            body.append(f"<p>{b['sub']}</p>")
    if heavy:
        body.append(f"<p>{b['heavy']}</p>")
    body += [f"<p>{b['tag']}</p>", f"<p>{b['share']}</p>", f"<p>{b['related']}</p>"]
    body += [f"<p>{x}</p>" for x in b["rel_items"]] + ["<p>Please enter your comment!</p>"]
    return (
        f"<html><head><title>{html.escape(title)}</title><link rel='canonical' href='https://{outlet}/"
        f"{abs(hash(title)) % 10**8}'></head><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article><h1>{html.escape(title)}</h1>{''.join(body)}</article><footer>(c) {outlet}</footer></body></html>"
    )


def stories(n: int, rng: random.Random) -> list[tuple[str, list[str]]]:
    import trafilatura

    root = unpack(DEFAULT_DATA)
    ev = json.loads((root / "evaldata.json").read_text())
    out = []
    for url, item in ev.items():
        text = (
            trafilatura.extract((root / "pages" / item["file"]).read_bytes().decode("utf-8", "replace"), url=url) or ""
        )
        paras = [p for p in text.split("\n") if len(p.split()) >= 8]
        if sum(len(p.split()) for p in paras) >= 150 and len(paras) >= 4:
            out.append((paras[0][:80], paras))
    rng.shuffle(out)
    return out[:n]


def build(n: int, seed: int = 0) -> tuple[Path, dict[str, str]]:
    """Write the HTML set; returns (dir, {file name: story label})."""
    rng = random.Random(seed)
    d = CACHE / f"dedup-quality-{n}-{seed}"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    pool = stories(n + n // 5 + 20, rng)
    main, reserve = pool[:n], pool[n:]
    labels: dict[str, str] = {}

    def emit(label: str, outlet: str, title: str, paras: list[str], heavy: bool = False) -> None:
        name = f"{len(labels):05d}-{outlet}.html"
        (d / name).write_text(page(outlet, title, paras, heavy))
        labels[name] = label

    for s, (title, paras) in enumerate(main):
        outlets = rng.sample(OUTLETS, rng.randint(2, 4))
        for v, outlet in enumerate(outlets):
            kind = v % 4
            if kind == 0:
                emit(f"s{s}", outlet, title, paras)
            elif kind == 1:
                words = " ".join(paras).split(" ")
                for j in rng.sample(range(len(words)), max(1, len(words) // 50)):
                    words[j] = rng.choice(["reportedly", "officials", "Tuesday", "several", "new"])
                text, out, k = words, [], 0
                for p in paras:
                    m = len(p.split(" "))
                    out.append(" ".join(text[k : k + m]))
                    k += m
                emit(f"s{s}", outlet, "UPDATED: " + title, out)
            elif kind == 2:
                emit(f"s{s}", outlet, title, paras[: max(3, int(len(paras) * 0.7))])
            else:
                emit(
                    f"s{s}",
                    outlet,
                    title,
                    ["Editor's note: this story has been updated with new details."] + paras[:-1],
                )
    # Hard negatives 1: follow-ups quoting one paragraph of an earlier story.
    for r, (title, paras) in enumerate(reserve[: len(reserve) // 2]):
        quoted = rng.choice(main)[1]
        q = rng.choice(quoted)
        emit(
            f"f{r}", rng.choice(OUTLETS), "Follow-up: " + title, paras[:2] + [f'As reported earlier: "{q}"'] + paras[2:]
        )
    # Hard negatives 2: short different stories inside one outlet's heavy boilerplate.
    for r, (title, paras) in enumerate(reserve[len(reserve) // 2 :]):
        short = " ".join(" ".join(paras).split()[:60])
        emit(f"h{r}", OUTLETS[r % 2], title, [short], heavy=True)
    (d / "labels.json").write_text(json.dumps(labels))
    return d, labels


def pairwise(assign: pl.DataFrame) -> dict:
    """Precision/recall/F1 over pairs: predicted = same cluster, true = same label."""

    def pairs(col: str) -> int:
        return int(assign.group_by(col).len().select((pl.col("len") * (pl.col("len") - 1) // 2).sum()).item())

    tp = int(assign.group_by("cluster", "label").len().select((pl.col("len") * (pl.col("len") - 1) // 2).sum()).item())
    pred, true = pairs("cluster"), pairs("label")
    p = tp / pred if pred else 1.0
    r = tp / true if true else 1.0
    return {
        "precision": p,
        "recall": r,
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "true_pairs": true,
        "pred_pairs": pred,
    }


def run_newsclean(d: Path, labels: dict) -> dict:
    import tempfile

    from flows.pipeline import ingest

    wh = Path(tempfile.mkdtemp(prefix="wh-"))
    try:
        ingest(inputs=[str(d)], warehouse=str(wh), workers=2)
        art = pl.read_parquet(f"{wh}/current/articles/*.parquet")
        rej = pl.read_parquet(f"{wh}/current/rejects/*.parquet")
    finally:
        shutil.rmtree(wh, ignore_errors=True)
    assign = art.select(
        pl.col("source").str.split("/").list.last().alias("file"), pl.col("cluster_id").alias("cluster")
    )
    # a rejected page is its own singleton (it cannot be clustered)
    assign = pl.concat(
        [
            assign,
            rej.select(pl.col("source").str.split("/").list.last().alias("file"), pl.col("doc_id").alias("cluster")),
        ]
    )
    return pairwise(assign.with_columns(pl.col("file").replace_strict(labels).alias("label"))) | {
        "rejected": rej.height
    }


def run_baseline(d: Path, labels: dict) -> dict:
    import trafilatura
    from datasketch import MinHash, MinHashLSH

    files = sorted(labels)
    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    parent = list(range(len(files)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, f in enumerate(files):
        text = trafilatura.extract((d / f).read_text(), url=None) or ""
        w = text.lower().split()
        m = MinHash(num_perm=128)
        m.update_batch({" ".join(w[j : j + 5]).encode() for j in range(max(1, len(w) - 4))})
        for j in lsh.query(m):
            parent[find(i)] = find(j)
        lsh.insert(i, m)
    assign = pl.DataFrame(
        {"file": files, "cluster": [find(i) for i in range(len(files))], "label": [labels[f] for f in files]}
    )
    return pairwise(assign)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stories", type=int, default=250)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    d, labels = build(args.stories)
    ours, base = run_newsclean(d, labels), run_baseline(d, labels)
    for name, r in (("newsclean", ours), ("baseline", base)):
        print(f"{name}: {r}", file=sys.stderr)
    if args.no_write:
        return
    cmd = "python -m benchmarks.dedup_quality " + " ".join(sys.argv[1:])
    n_neg = sum(1 for v in labels.values() if v[0] in "fh")
    write_section(
        "Near-duplicate quality on real text (benchmarks/dedup_quality.py)",
        "\n".join(
            [
                f"Command: `{cmd.strip()}` on {machine()}; {len(labels)} HTML pages: {args.stories} real article bodies "
                f"republished 2-4 times each with different boilerplate and edits, plus {n_neg} hard negatives "
                f"({ours['true_pairs']} true same-story pairs).",
                "",
                "| pipeline | pairwise precision | recall | F1 | predicted pairs |",
                "|---|---:|---:|---:|---:|",
                f"| trafilatura.extract + datasketch MinHashLSH(0.8) + union-find | {base['precision']:.3f} | {base['recall']:.3f} | "
                f"{base['f1']:.3f} | {base['pred_pairs']} |",
                f"| newsclean `ingest` (defaults) | {ours['precision']:.3f} | {ours['recall']:.3f} | {ours['f1']:.3f} | "
                f"{ours['pred_pairs']} |",
                "",
                "Targets (issue 4): precision >= 0.995 and F1 >= 0.99 at the default settings. This set is built from the "
                "development pages; the figure that counts is taken on text the project has never seen.",
            ]
        ),
    )


if __name__ == "__main__":
    main()
