"""How a stage that answers ``pind.video.ingested.v1`` ended: the ``outcome``
fields that ``pind.transcript.ready.v1`` and ``pind.vision.ready.v1`` share.

Transcript and vision each publish exactly one of these per analysis, on their
own topic, in the same transaction as their final stage report: ``ready`` with
the result, or ``failed``/``skipped`` with a reason and no result. Geo settles
its inputs from them and never reads ``pind.job.stage.v1``, which is the
gateway's progress stream.

Why the fields were added to the existing ``.v1`` topics rather than a new
topic or a ``.v2``: an outcome is what these topics always meant ("what came
of this stage's work"), one topic keeps a job's result and its failure in one
partition in order, and the change is backward compatible both ways:

- A **new reader of an old event** sees no ``outcome`` and gets the default,
  ``ready``: before this change only results were published here.
- An **old reader of a new ``ready`` event** ignores ``outcome``, ``reason``
  and ``error_code`` (contracts ignore unknown fields) and finds every field
  it required: a ready result still carries them all.
- An **old reader of a new ``failed`` or ``skipped`` event** rejects it,
  deliberately: the result fields an old reader requires are absent (``null``)
  rather than filled with made-up values, so a failure can never be taken for
  an empty transcript or a video without text. Such a reader dead-letters the
  event and still settles the input from the failed or skipped stage report,
  which the producers keep publishing on ``pind.job.stage.v1``. Upgrade the
  readers (geo) before the producers and this never happens.
- A **new geo still receiving old-style producers** (an upgrade in flight: a
  transcript or vision that only reported its failure on the stage stream)
  does not hear of that failure; the analysis is settled by geo's own gather
  deadline (``GEO_GATHER_DEADLINE_S``), which extracts from the inputs that
  did arrive. Nothing hangs; that job just waits for the deadline.

Each payload validates its own shape: ``ready`` must carry its result;
``failed``/``skipped`` must say why and carry no result.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic.config import JsonDict, JsonValue

from pind_contracts.types import Contract

Outcome = Literal["ready", "failed", "skipped"]
"""``ready``: the result is here. ``failed``: the stage gave up (an error a
person may look at). ``skipped``: the stage had nothing to work on (no
captions and no speech, say)."""


class StageOutcome(Contract):
    """The fields that say how the stage ended (the base of both payloads)."""

    outcome: Outcome = Field(
        default="ready",
        description="ready (the result is in this event), failed or skipped (no result; "
        "see reason). Absent in events written before the field existed: those are ready.",
    )
    reason: str | None = Field(
        default=None, description="Readable cause of a failed or skipped outcome."
    )
    error_code: str | None = Field(
        default=None, description="Stable machine code of a failed or skipped outcome."
    )

    @property
    def is_ready(self) -> bool:
        return self.outcome == "ready"

    def _check_outcome(self, *, result: dict[str, object], required: tuple[str, ...]) -> None:
        """Raise ``ValueError`` unless a ready outcome carries ``required`` of
        ``result`` and any other outcome has a reason and an empty result."""
        if self.is_ready:
            missing = [name for name in required if result[name] is None]
            if missing:
                raise ValueError(f"a ready outcome needs {', '.join(missing)}")
            return
        if not self.reason:
            raise ValueError(f"a {self.outcome} outcome needs a reason")
        carried = [name for name, value in result.items() if value]
        if carried:
            raise ValueError(
                f"a {self.outcome} outcome carries no result, got {', '.join(carried)}"
            )


def outcome_schema(required: list[str]) -> JsonDict:
    """JSON Schema ``if``/``then``/``else`` saying the same as ``_check_outcome``
    to readers of the published schema: ready (or absent) needs ``required``;
    failed and skipped need a reason."""
    return {
        "if": {
            "anyOf": [
                {"not": {"required": ["outcome"]}},
                {"properties": {"outcome": {"const": "ready"}}, "required": ["outcome"]},
            ]
        },
        "then": {
            "required": list[JsonValue](required),
            "properties": {name: {"not": {"type": "null"}} for name in required},
        },
        "else": {
            "required": ["reason"],
            "properties": {"reason": {"type": "string", "minLength": 1}},
        },
    }
