"""Consuming events, as a package:

- :mod:`.incoming` — an event as a handler sees it, decoded from a record;
- :mod:`.unit_of_work` — one transaction for a piece of work's writes, the
  events it emits and the processed mark (also for work no event asked for);
- :mod:`.processed` — the processed-events marks;
- :mod:`.delivery` — retries with backoff, dead letters, give-up stages;
- :mod:`.handling`, :mod:`.batch` — one event at a time, or a fetch at a time;
- :mod:`.worker` — the process's consumers, producer, relay and lifecycle.
"""

from pind_kit.consume.batch import Batch, BatchHandler
from pind_kit.consume.handling import Handler
from pind_kit.consume.incoming import Incoming, decode
from pind_kit.consume.subscription import GiveUpHook, Subscription, kafka_group_id
from pind_kit.consume.unit_of_work import UnitOfWork
from pind_kit.consume.worker import Worker
from pind_kit.errors import AlreadyProcessed, TransientError, UndecodableEvent

__all__ = [
    "AlreadyProcessed",
    "Batch",
    "BatchHandler",
    "GiveUpHook",
    "Handler",
    "Incoming",
    "Subscription",
    "TransientError",
    "UndecodableEvent",
    "UnitOfWork",
    "Worker",
    "decode",
    "kafka_group_id",
]
