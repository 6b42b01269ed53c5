"""`python -m evaluation.geo` (what `make eval` runs): geoparsing scores of the
offline extraction on the research corpora ($PIND_EVAL_DIR, else
../shared/data/eval/ beside the checkout), on the sample vlogs, and the venue
table of the food vlogs per geocoder configuration (offline; the fake Kakao
Local in place of the offline venue index). Options: --limit N (documents per
corpus), --only NAME[,NAME], --details (the venues missed and wrongly found).
When a corpus asked for is absent it says where to get it and exits 2;
``--only vlogs,venues`` needs none."""

from __future__ import annotations

import argparse
import logging
import sys

import structlog

from evaluation.geo.corpora import CorporaMissingError, require_corpora
from evaluation.geo.klue_cv import run_korean_cv
from evaluation.geo.report import Row, render
from evaluation.geo.runs import run_english, run_korean, run_vlogs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.geo", description=__doc__)
    parser.add_argument("--limit", type=int, default=None, help="documents per corpus")
    parser.add_argument(
        "--only",
        default="tr-news,geovirus,klue,klue-cv,vlogs,venues",
        help="comma-separated corpora",
    )
    parser.add_argument("--details", action="store_true", help="list venue misses")
    parser.add_argument("--world-min-population", type=int, default=1000)
    parser.add_argument(
        "--demonyms",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="count 'Turkish' as a mention of Turkey (as TR-News and GeoWebNews do)",
    )
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    try:
        require_corpora(only)
    except CorporaMissingError as exc:
        sys.stderr.write(f"make eval: {exc}")
        return 2
    structlog.configure(
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
    )
    from pind_geo.app import build_place_extractor
    from pind_geo.domain.fusion import FusionPolicy
    from pind_geo.extract import BATCH_POLICY
    from pind_geo.settings import DEFAULT_GAZETTEER_DIR

    batch = build_place_extractor(
        DEFAULT_GAZETTEER_DIR,
        world_min_population=args.world_min_population,
        demonyms=args.demonyms,
        policy=BATCH_POLICY,
    )
    rows: list[Row] = []
    for name in ("tr-news", "geovirus"):
        if name in only:
            rows.append(run_english(batch, name, args.limit))
    if "klue" in only:
        rows.append(run_korean(batch, args.limit))
    if "klue-cv" in only:  # the Korean tagger cross-validated on half a
        rows.append(
            run_korean_cv(
                BATCH_POLICY,
                world_min_population=args.world_min_population,
                demonyms=args.demonyms,
                limit=args.limit,
            )
        )
    if "vlogs" in only:
        rows.append(run_vlogs(batch.with_policy(FusionPolicy())))
    if rows:
        sys.stdout.write(render(rows))
    if "venues" in only:
        from evaluation.geo.venue_configs import venue_configurations
        from evaluation.geo.venues import render_venues, run_venues

        with venue_configurations(batch.with_policy(FusionPolicy())) as configurations:
            sys.stdout.write(render_venues(run_venues(configurations), details=args.details))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
