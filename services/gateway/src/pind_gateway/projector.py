"""The gateway's background work, and the process that runs only it.

:func:`add_background_work` registers on a worker what writes the gateway's
state from Kafka and the clock: the projection of the analysis topics, the
deny list's consumer of ``pind.user.v1`` (with its late-history sweep) and
the job-timeout sweeper. ``PIND_ROLE=all`` adds it to every API server
process (tests, small installs); ``PIND_ROLE=projector``
(``pind-gateway projector``) runs it in one process of its own
(:func:`run_projector`) that serves only ``/healthz``, ``/readyz`` (database
and Kafka) and ``/metrics`` on ``PIND_HTTP_PORT``, beside API processes
started with ``PIND_ROLE=api`` that only serve. Every process also runs the
kit's outbox relay; the projector's publishes what API processes left behind.

Why a process of its own: the work above runs in the event loop that answers
requests, and a batch of events projected there holds every request queued
behind it; split off, the job-status GET's tail is the request's own
(docs/runbook.md, "Gateway roles"; ``python -m benchmarks.gateway --only paced``).
"""

from __future__ import annotations

import os

from pind_contracts import VIDEO_REQUESTED
from pind_gateway.auth.revocations import register_revocations
from pind_gateway.core.watch import AnalysisWatch
from pind_gateway.projection.horizon import ProjectionHorizon
from pind_gateway.projection.subscribers import register_projection
from pind_gateway.projection.sweeper import Sweeper
from pind_gateway.settings import GatewaySettings
from pind_kit.consume import Worker


def add_sweeper(worker: Worker, settings: GatewaySettings) -> Sweeper:
    """The job-timeout sweeper, as a background task of ``worker``."""
    sweeper = Sweeper(
        worker.sessionmaker,
        ProjectionHorizon(
            settings.kafka_bootstrap, settings.consumer_group, settings.kafka_topic_prefix
        ),
        timeout_s=settings.job_timeout_s,
        interval_s=settings.job_sweep_interval_s,
        requests_topic=settings.kafka_topic_prefix + VIDEO_REQUESTED.name,
    )
    worker.background(sweeper.run)
    return sweeper


def add_background_work(worker: Worker, settings: GatewaySettings, watch: AnalysisWatch) -> Sweeper:
    """The projection (waking ``watch``'s waiters in this process), the
    revocations consumer and the timeout sweeper, on ``worker``."""
    register_projection(worker, watch, settings.consumer_group)
    register_revocations(worker, f"{settings.consumer_group}-revocations")
    return add_sweeper(worker, settings)


def create_projector(settings: GatewaySettings) -> Worker:
    """A worker with the gateway's background work and nothing else (no HTTP
    API: nobody in this process waits on the projection's wake-ups, the API
    processes hear its changes by PostgreSQL NOTIFY)."""
    worker = Worker(settings)
    add_background_work(worker, settings, AnalysisWatch())
    return worker


def run_projector(settings: GatewaySettings) -> None:
    """Run the projector until SIGTERM/SIGINT, at ``PIND_PROJECTOR_NICE``. It
    starts once Kafka answers (projecting is all it does) and serves its ops
    endpoints from then on."""
    if settings.projector_nice:
        os.nice(settings.projector_nice)
    create_projector(settings).run()
