"""The table `make eval` prints."""

from __future__ import annotations

from dataclasses import dataclass

from evaluation.geo.metrics import Counts


@dataclass(frozen=True, slots=True)
class Row:
    corpus: str
    documents: int
    gold: int
    predicted: int
    exact: tuple[float, float, float] | None
    overlap: tuple[float, float, float]
    acc_161: float | None
    acc_1: float | None
    median_km: float | None
    resolved_n: int
    docs_per_s: float | None
    """None where the time is not extraction alone (cross-validation trains too)."""

    @classmethod
    def of(cls, corpus: str, counts: Counts) -> Row:
        return cls(
            corpus,
            counts.documents,
            counts.gold,
            counts.predicted,
            counts.prf(counts.exact),
            counts.prf(counts.overlap, counts.overlap_predicted),
            counts.accuracy(161.0),
            counts.accuracy(1.0),
            counts.median_km(),
            len(counts.errors_km),
            counts.documents / counts.seconds if counts.seconds else 0.0,
        )

    @classmethod
    def vlogs(cls, corpus: str, counts: Counts) -> Row:
        """Place level: ``exact`` counts gold places found, ``overlap`` found
        places that are gold places (precision and recall differ in kind)."""
        precision = counts.overlap / counts.predicted if counts.predicted else 0.0
        recall = counts.exact / counts.gold if counts.gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return cls(
            corpus,
            counts.documents,
            counts.gold,
            counts.predicted,
            None,
            (precision, recall, f1),
            None,
            None,
            None,
            0,
            counts.documents / counts.seconds if counts.seconds else 0.0,
        )


def _f(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def throughput(rows: list[Row]) -> str:
    """Documents per second over every corpus of the run (time spent extracting)."""
    timed = [r for r in rows if r.docs_per_s]
    documents = sum(r.documents for r in timed)
    seconds = sum(r.documents / r.docs_per_s for r in timed if r.docs_per_s)
    rate = documents / seconds if seconds else 0.0
    return f"All corpora: {documents} documents in {seconds:.1f} s, {rate:.1f} docs/s."


def render(rows: list[Row]) -> str:
    head = (
        "corpus",
        "docs",
        "gold",
        "pred",
        "P exact",
        "R exact",
        "F1 exact",
        "P overlap",
        "R overlap",
        "F1 overlap",
        "n res",
        "acc@161km",
        "acc@1km",
        "median km",
        "docs/s",
    )
    lines = []
    for r in rows:
        exact = r.exact or (None, None, None)
        lines.append(
            (
                r.corpus,
                str(r.documents),
                str(r.gold),
                str(r.predicted),
                _f(exact[0]),
                _f(exact[1]),
                _f(exact[2]),
                _f(r.overlap[0]),
                _f(r.overlap[1]),
                _f(r.overlap[2]),
                str(r.resolved_n) if r.resolved_n else "-",
                _f(r.acc_161),
                _f(r.acc_1),
                _f(r.median_km, 1),
                _f(r.docs_per_s, 1),
            )
        )
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(head)]
    out = [
        " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)),
        "-|-".join("-" * w for w in widths),
    ]
    out += [" | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    out.append(throughput(rows))
    out.append(
        "Recognition: exact = same start and end (one-to-one); overlap = at least one shared "
        "character (lenient: P over predicted spans, R over gold spans). Resolution over "
        "recognised (overlap) gold toponyms with coordinates; "
        "unresolved counts as wrong. Vlogs: place-level, P = found places that are gold "
        "(≤ 200 m), R = gold places found."
    )
    return "\n".join(out) + "\n"
