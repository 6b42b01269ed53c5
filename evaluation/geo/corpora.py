"""Readers of the evaluation corpora (read-only, never copied into the
repository: they are research data). They are looked for in ``$PIND_EVAL_DIR``,
else in ``../shared/data/eval/`` beside the checkout; ``require_corpora`` says
where to get them when they are absent."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pind_geo.settings import REPO_ROOT

EVAL_DIR = Path(os.environ.get("PIND_EVAL_DIR") or REPO_ROOT.parent / "shared" / "data" / "eval")

CORPUS_FILES = {
    "tr-news": "en/TR-News.xml",
    "geovirus": "en/GeoVirus.xml",
    "klue": "ko/klue-ner-v1.1_dev_half-a.tsv",
    "klue-cv": "ko/klue-ner-v1.1_dev_half-a.tsv",
}
"""Each corpus `make eval` knows, by its file under ``EVAL_DIR``."""

WHERE_TO_GET = """\
The evaluation corpora are research data and are not part of the repository.
Put them under {eval_dir} (or point PIND_EVAL_DIR at a folder that has them):
  en/TR-News.xml, en/GeoVirus.xml   from the repository of Gritta et al., "A Pragmatic
                                    Guide to Geoparsing Evaluation" (2019), GitHub
                                    milangritta/Pragmatic-Guide-to-Geoparsing-Evaluation
  ko/klue-ner-v1.1_dev_half-a.tsv   every other sentence (the 1st, 3rd, ...) of the KLUE-NER
                                    v1.1 dev set (KLUE benchmark, CC BY-SA 4.0), GitHub
                                    KLUE-benchmark/KLUE
Or evaluate the sample vlogs alone, which the repository carries: make eval EVAL_ARGS='--only vlogs'
"""


class CorporaMissingError(Exception):
    """Corpora asked for are not in ``EVAL_DIR``."""


def require_corpora(names: Iterable[str]) -> None:
    """Raise ``CorporaMissingError`` (whose text says where to get them) unless
    every named corpus's file is there."""
    missing = sorted(
        {CORPUS_FILES[n] for n in names if n in CORPUS_FILES}
        - {f for f in CORPUS_FILES.values() if (EVAL_DIR / f).is_file()}
    )
    if missing:
        raise CorporaMissingError(
            f"missing in {EVAL_DIR}: {', '.join(missing)}\n"
            + WHERE_TO_GET.format(eval_dir=EVAL_DIR)
        )


@dataclass(frozen=True, slots=True)
class GoldSpan:
    start: int
    end: int
    text: str
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    text: str
    lang: str
    spans: tuple[GoldSpan, ...]


_ALIGN_WINDOW = 8


def aligned(text: str, span: GoldSpan) -> GoldSpan:
    """The gold span moved onto its phrase: GeoVirus offsets are one past the
    phrase and some TR-News ones drift by a character or two. The nearest
    occurrence of the phrase within a few characters wins; else as given."""
    if not span.text or text[span.start : span.end] == span.text:
        return span
    lo = max(0, span.start - _ALIGN_WINDOW)
    best: int | None = None
    at = text.find(span.text, lo, span.end + _ALIGN_WINDOW + len(span.text))
    while at != -1:
        if best is None or abs(at - span.start) < abs(best - span.start):
            best = at
        at = text.find(span.text, at + 1, span.end + _ALIGN_WINDOW + len(span.text))
    if best is None:
        return span
    return GoldSpan(best, best + len(span.text), span.text, span.lat, span.lon)


def _float(node: ET.Element | None) -> float | None:
    if node is None or node.text is None or not node.text.strip():
        return None
    return float(node.text)


def read_tr_news(path: Path) -> Iterator[Document]:
    """TR-News: ``<toponym><start/><end/><phrase/><gaztag><lat/><lon/>``."""
    root = ET.parse(path).getroot()  # noqa: S314 (the published corpora, read-only)
    for number, article in enumerate(root.iter("article")):
        text = article.findtext("text") or ""
        spans = []
        for toponym in article.iter("toponym"):
            gaztag = toponym.find("gaztag")
            lat = _float(gaztag.find("lat")) if gaztag is not None else None
            lon = _float(gaztag.find("lon")) if gaztag is not None else None
            spans.append(
                GoldSpan(
                    int(toponym.findtext("start") or 0),
                    int(toponym.findtext("end") or 0),
                    toponym.findtext("phrase") or "",
                    lat,
                    lon,
                )
            )
        yield Document(
            article.get("docid") or str(number),
            text,
            "en",
            tuple(aligned(text, s) for s in spans),
        )


def read_geovirus(path: Path) -> Iterator[Document]:
    """GeoVirus: ``<location><name/><start/><end/><lat/><lon/>``."""
    root = ET.parse(path).getroot()  # noqa: S314 (the published corpora, read-only)
    for number, article in enumerate(root.iter("article")):
        text = article.findtext("text") or ""
        spans = tuple(
            aligned(
                text,
                GoldSpan(
                    int(location.findtext("start") or 0),
                    int(location.findtext("end") or 0),
                    location.findtext("name") or "",
                    _float(location.find("lat")),
                    _float(location.find("lon")),
                ),
            )
            for location in article.iter("location")
        )
        yield Document(article.findtext("source") or str(number), text, "en", spans)


def read_klue_ner(path: Path, tag: str = "LC") -> Iterator[Document]:
    """KLUE-NER character-level BIO TSV: ``## <id>\\t<marked sentence>`` heads each
    sentence, then one ``char\\tlabel`` line per character; spans of ``tag``."""
    doc_id: str | None = None
    chars: list[str] = []
    labels: list[str] = []

    def flush() -> Document | None:
        if doc_id is None:
            return None
        text = "".join(chars)
        spans: list[GoldSpan] = []
        start: int | None = None
        for i, label in enumerate([*labels, "O"]):
            inside = label == f"I-{tag}" and start is not None
            if start is not None and not inside:
                spans.append(GoldSpan(start, i, text[start:i]))
                start = None
            if label == f"B-{tag}":
                start = i
        return Document(doc_id, text, "ko", tuple(spans))

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            head = line[3:].split("\t", 1)
            if len(head) == 2 and head[0].startswith("klue-ner"):
                done = flush()
                if done is not None:
                    yield done
                doc_id, chars, labels = head[0], [], []
            continue
        if not line or doc_id is None:
            continue
        char, _, label = line.rpartition("\t")
        chars.append(char if char else " ")
        labels.append(label)
    done = flush()
    if done is not None:
        yield done
