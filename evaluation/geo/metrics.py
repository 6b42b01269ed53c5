"""Span matching and scores.

Recognition, *exact*: a predicted span is right when a gold span has both
its offsets (one-to-one). *Overlap* (lenient): a predicted span is right when
it shares a character with a gold span, and a gold span is found when a
predicted span shares a character with it ('Seoul' and 'Gangnam' inside the
gold 'Seoul Gangnam-gu Yeoksam-dong' are both right; the gold span is found once).

Resolution: over gold toponyms that carry coordinates and were recognised
(overlap match), the distance from the predicted coordinates to the gold
ones. A recognised toponym left unresolved counts as wrong (its error is
half the Earth's circumference, 20,004 km)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from pind_geo.domain.geometry import distance_m

UNRESOLVED_KM = 20_004.0


@dataclass(frozen=True, slots=True)
class Predicted:
    start: int
    end: int
    lat: float | None = None
    lon: float | None = None


@dataclass
class Counts:
    gold: int = 0
    predicted: int = 0
    exact: int = 0
    overlap: int = 0
    """Gold spans found by overlap."""
    overlap_predicted: int = 0
    """Predicted spans that overlap a gold span."""
    errors_km: list[float] = field(default_factory=list)
    documents: int = 0
    seconds: float = 0.0

    def add(self, other: Counts) -> None:
        self.gold += other.gold
        self.predicted += other.predicted
        self.exact += other.exact
        self.overlap += other.overlap
        self.overlap_predicted += other.overlap_predicted
        self.errors_km.extend(other.errors_km)
        self.documents += other.documents
        self.seconds += other.seconds

    def prf(self, matched: int, matched_predicted: int | None = None) -> tuple[float, float, float]:
        right = matched if matched_predicted is None else matched_predicted
        p = right / self.predicted if self.predicted else 0.0
        r = matched / self.gold if self.gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def accuracy(self, km: float) -> float | None:
        if not self.errors_km:
            return None
        return sum(e <= km for e in self.errors_km) / len(self.errors_km)

    def median_km(self) -> float | None:
        return statistics.median(self.errors_km) if self.errors_km else None


def score_document(
    gold: Sequence[tuple[int, int, float | None, float | None]], predicted: Sequence[Predicted]
) -> Counts:
    counts = Counts(gold=len(gold), predicted=len(predicted), documents=1)
    free_gold = set(range(len(gold)))
    free_pred = set(range(len(predicted)))
    pairs: list[tuple[int, int]] = []
    for g in sorted(free_gold):
        for p in sorted(free_pred):
            if (predicted[p].start, predicted[p].end) == gold[g][:2]:
                pairs.append((g, p))
                free_gold.discard(g)
                free_pred.discard(p)
                break
    counts.exact = len(pairs)
    for g in sorted(free_gold):
        # The first predicted span overlapping it (resolution is scored on it).
        for p in range(len(predicted)):
            if predicted[p].start < gold[g][1] and gold[g][0] < predicted[p].end:
                pairs.append((g, p))
                break
    counts.overlap = len(pairs)
    counts.overlap_predicted = sum(
        1 for p in predicted if any(p.start < g[1] and g[0] < p.end for g in gold)
    )
    for g, p in pairs:
        lat, lon = gold[g][2], gold[g][3]
        if lat is None or lon is None:
            continue
        guess = predicted[p]
        if guess.lat is None or guess.lon is None:
            counts.errors_km.append(UNRESOLVED_KM)
        else:
            counts.errors_km.append(distance_m(lat, lon, guess.lat, guess.lon) / 1000)
    return counts
