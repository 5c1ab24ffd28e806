"""The sandbox a document is cleaned in (flows/sandbox.py): a time limit and no escaping exception."""

from cleaners.config import Limits, Settings


def test_slow_document_is_rejected_with_timeout(tmp_path):
    """The per-document time limit turns a page that takes too long into a `timeout` reject."""
    import json as _json

    from flows.batches import Batch, Unit, process_batch, scan_parts

    big = (
        "<html><body><article>"
        + "".join(f"<p>Paragraph {i} about the port and the strike and the deal.</p>" for i in range(40000))
        + "</article></body></html>"
    )
    (tmp_path / "slow.html").write_text(big)
    (tmp_path / "fast.txt").write_text("Title\n" + "An ordinary sentence with enough words in it. " * 5)
    files = (str(tmp_path / "slow.html"), str(tmp_path / "fast.txt"))
    out = tmp_path / "batch"
    summary = process_batch(
        Batch(0, tuple(Unit(f) for f in files), "k"), Settings(limits=Limits(max_extract_seconds=0.05)), out
    )
    assert summary.reject_reasons == {"timeout": 1} and summary.cleaned == 1
    rej = scan_parts([out], "rejects").collect()
    assert rej["source"].to_list() == [files[0]] and "max_extract_seconds" in rej["detail"][0]
    assert _json.loads((out / "_SUCCESS.json").read_text())["cleaned"] == 1
