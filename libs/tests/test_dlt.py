"""``pind-dlt``: a dead letter is listed with why it failed, and a replay is
handled again by the consumer that gave up — and only by it."""

from __future__ import annotations

import uuid

from pind_contracts import JobStage
from pind_contracts.envelope import Envelope
from pind_kit import dlt
from pind_kit.consume import Incoming, UnitOfWork, Worker
from pind_kit.settings import ServiceSettings
from pind_kit.testing import TopicReader, publish_raw, running, stand_in_topic, topic_prefix

SCHEMA = "kit_dlt_test"


async def test_a_dead_letter_is_listed_and_its_replay_reaches_only_the_consumer_that_failed(
    kit_schema: str, admin_database_url: str, kafka_bootstrap: str
) -> None:
    source = await stand_in_topic(kafka_bootstrap, "kitdlt", JobStage, "dlt test input")
    output = await stand_in_topic(kafka_bootstrap, "kitdltout", JobStage, "dlt test output")
    worker = Worker(
        ServiceSettings(
            service_name="kit-dlt-test",
            database_url=admin_database_url,
            db_schema=SCHEMA,
            kafka_bootstrap=kafka_bootstrap,
            retry_attempts=1,
            relay_poll_interval_s=0.1,
        )
    )
    broken = True
    failing, healthy = f"fails-{uuid.uuid4().hex[:6]}", f"works-{uuid.uuid4().hex[:6]}"
    seen: dict[str, int] = {failing: 0, healthy: 0}

    @worker.handler(source, group=failing)
    async def fragile(event: Incoming[JobStage], uow: UnitOfWork) -> None:
        seen[failing] += 1
        if broken:
            raise ValueError("a bug, fixed later")
        await uow.emit(output, event.payload)

    @worker.handler(source, group=healthy)
    async def sturdy(event: Incoming[JobStage], uow: UnitOfWork) -> None:
        seen[healthy] += 1

    payload = JobStage(job_id=uuid.uuid4(), video_id="abcdefghijk", stage="geo", state="progress")
    envelope = Envelope(type=source.event_type, producer="test", subject="abcdefghijk")
    async with (
        TopicReader(kafka_bootstrap, source.dlt) as dead,
        TopicReader(kafka_bootstrap, output.name) as out,
        running(worker),
    ):
        await publish_raw(
            kafka_bootstrap,
            source.name,
            payload.model_dump_json().encode(),
            envelope.to_headers(),
            b"abcdefghijk",
        )
        await dead.until(lambda records: len(records) == 1)

        letters = dlt.select(
            await dlt.read_dead_letters(kafka_bootstrap, topic_prefix()),
            topic=source.name,
            prefix=topic_prefix(),
        )
        assert [letter.event_id for letter in letters] == [str(envelope.event_id)]
        row = letters[0].summary()
        assert row["consumer"] == failing
        assert str(row["error"]).startswith("ValueError: a bug, fixed later")

        broken = False  # the fix is deployed
        assert await dlt.replay(kafka_bootstrap, letters) == 1
        emitted = await out.until(lambda records: len(records) == 1)
        assert await dead.drain(quiet_s=0.5) == []  # handled this time
    assert JobStage.model_validate_json(emitted[0].value or b"") == payload
    assert emitted[0].headers["ce_causationid"] == str(envelope.event_id).encode()
    assert seen == {failing: 2, healthy: 1}  # the healthy consumer skipped the replay


def test_letters_are_selected_by_topic_id_and_time() -> None:
    def letter(topic: str, event_id: str, at: str) -> dlt.DeadLetter:
        headers = (("ce_id", event_id.encode()), ("pind_dlt_failed_at", at.encode()))
        return dlt.DeadLetter(f"x.{topic}.dlt", 0, 0, None, b"{}", headers)

    letters = [
        letter("pind.a.v1", "1", "2026-12-01T10:00:00+00:00"),
        letter("pind.b.v1", "2", "2026-12-02T10:00:00+00:00"),
        letter("pind.a.v1", "3", "2026-12-03T10:00:00+00:00"),
    ]
    chosen = dlt.select(letters, topic="pind.a.v1", prefix="x.")
    assert [d.event_id for d in chosen] == ["1", "3"]
    since = dlt._time("2026-12-02T00:00:00")
    assert [d.event_id for d in dlt.select(letters, since=since)] == ["2", "3"]
    assert [d.event_id for d in dlt.select(letters, ids=["2"])] == ["2"]
