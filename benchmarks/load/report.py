"""The figures of a load run as text tables."""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from benchmarks.load.drive import Ledger
from benchmarks.load.lag import LagSeries


@dataclass(frozen=True)
class Throughput:
    name: str
    jobs: int
    succeeded: int
    failed: int
    unfinished: int
    seconds: float
    p50_s: float | None
    p99_s: float | None
    max_s: float | None

    @property
    def per_s(self) -> float:
        return self.succeeded / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        def ms(v: float | None) -> str:
            return "-" if v is None else f"{v * 1000:.0f}"

        return (
            f"{self.name:<8} {self.jobs:>6} {self.succeeded:>6} {self.failed:>5} "
            f"{self.unfinished:>6} {self.seconds:>7.1f} {self.per_s:>8.1f} "
            f"{ms(self.p50_s):>7} {ms(self.p99_s):>7} {ms(self.max_s):>7}"
        )


HEADER = (
    f"{'system':<8} {'jobs':>6} {'ok':>6} {'fail':>5} {'unfin':>6} {'secs':>7} "
    f"{'jobs/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}"
)


def quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def throughput(name: str, ledger: Ledger) -> Throughput:
    """Succeeded jobs per second from the first submission to the last end."""
    outcomes = list(ledger.jobs.values())
    ended = [o for o in outcomes if o.finished_at is not None]
    ok = [o for o in ended if o.state == "succeeded"]
    latencies = sorted(o.latency_s for o in ok if o.latency_s is not None)
    start = min((o.submitted_at for o in outcomes), default=0.0)
    end = max((o.finished_at for o in ended if o.finished_at), default=start)
    return Throughput(
        name,
        len(outcomes),
        len(ok),
        len(ended) - len(ok),
        len(outcomes) - len(ended),
        end - start,
        quantile(latencies, 0.5),
        quantile(latencies, 0.99),
        latencies[-1] if latencies else None,
    )


def usage_table(cpu: Mapping[str, float], rss: Mapping[str, int], seconds: float) -> str:
    lines = [f"{'process tree':<16} {'cpu s':>8} {'cores':>6} {'peak RSS MiB':>13}"]
    for name in cpu:
        cores = cpu[name] / seconds if seconds > 0 else 0.0
        lines.append(
            f"{name:<16} {cpu[name]:>8.1f} {cores:>6.2f} {rss.get(name, 0) / 1048576:>13.0f}"
        )
    total = sum(cpu.values())
    lines.append(
        f"{'total':<16} {total:>8.1f} {total / seconds if seconds else 0:>6.2f} "
        f"{sum(rss.values()) / 1048576:>13.0f}"
    )
    return "\n".join(lines)


def lag_table(series: LagSeries, columns: int = 8) -> str:
    """Lag per group (rows) at up to ``columns`` evenly spread moments, and its peak."""
    groups = series.groups
    if not series.samples or not groups:
        why = (
            f"; {len(series.missed)} failed, the last: {series.missed[-1]}" if series.missed else ""
        )
        return f"(no consumer-group offsets were read{why})"
    step = max(1, len(series.samples) // columns)
    picked = series.samples[::step][:columns]
    if picked[-1] is not series.samples[-1]:
        picked.append(series.samples[-1])
    # Groups are named under the run's topic prefix (load.<run>.): shown without it.
    short = {
        g: re.sub(r"^load\.[^.]+\.", "", g).replace(".pind.", " <- ").removesuffix(".v1")
        for g in groups
    }
    width = max(len(s) for s in short.values())
    lines = [
        "consumer lag (records not yet committed) at t seconds into the run:",
        f"{'group <- topic':<{width}}  "
        + " ".join(f"{f't={at:.0f}':>7}" for at, _ in picked)
        + f" {'peak':>7}",
    ]
    for g in groups:
        cells = " ".join(f"{lags[g]:>7}" if g in lags else f"{'-':>7}" for _, lags in picked)
        peak = max(lags.get(g, 0) for _, lags in series.samples)
        lines.append(f"{short[g]:<{width}}  {cells} {peak:>7}")
    if series.missed:
        lines.append(f"{len(series.missed)} sample(s) missed, the last: {series.missed[-1]}")
    return "\n".join(lines)


def block(title: str, lines: Iterable[str]) -> str:
    return "\n".join([f"== {title}", *lines])
