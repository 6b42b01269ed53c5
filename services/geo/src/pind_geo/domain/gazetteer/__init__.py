"""An in-memory gazetteer: public place lists indexed by every name a video
may use for a place (Hangul, romanised, OCR-spaced), searched exactly or fuzzily."""

from pind_geo.domain.gazetteer.index import GazetteerIndex, IndexStats
from pind_geo.domain.gazetteer.records import Dataset, GazetteerEntry, GazetteerRecord

__all__ = ["Dataset", "GazetteerEntry", "GazetteerIndex", "GazetteerRecord", "IndexStats"]
