"""A video's audio: downloaded with yt-dlp (audio-only format, size-capped),
decoded with PyAV into 16 kHz mono blocks, a little at a time."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import structlog
from yt_dlp.utils import DownloadError, ExtractorError

from pind_transcript.adapters.ytdlp import is_retryable, watch_url, youtube_dl, ytdlp_params
from pind_transcript.domain.speech import SAMPLE_RATE, Samples
from pind_transcript.domain.transcript import YoutubeRefused
from pind_transcript.settings import TranscriptSettings

log = structlog.get_logger(__name__)

# Audio only when YouTube offers it (format 140 and friends), else the smallest
# format with both picture and sound; never a video-only stream.
AUDIO_FORMAT = "bestaudio/worst"
DECODE_BLOCK_SAMPLES = 30 * SAMPLE_RATE


class AudioUnavailable(Exception):
    """The video has no audio we may or can download: too large, no audio
    format, unplayable. Not retryable."""


def download_audio(settings: TranscriptSettings, video_id: str, workdir: Path) -> Path:
    """Download ``video_id``'s audio into ``workdir``; blocking.

    Raises :class:`YoutubeRefused` when YouTube blocks us or cannot be reached,
    :class:`AudioUnavailable` when there is nothing to download within the cap.
    """
    cap = round(settings.speech_max_audio_mb * 1024 * 1024)
    params = ytdlp_params(
        settings, workdir, format=AUDIO_FORMAT, max_filesize=cap, retries=2, overwrites=True
    )
    try:
        with youtube_dl(settings, params) as ydl:
            # Choose the format first: an oversized one is refused before any byte
            # of it is requested (max_filesize stays as the backstop for sizes
            # YouTube does not announce).
            info = ydl.extract_info(watch_url(video_id), download=False) or {}
            size = info.get("filesize") or info.get("filesize_approx")
            if isinstance(size, int | float) and size > cap:
                raise AudioUnavailable(
                    f"the audio is {size / 2**20:.2f} MB, more than the "
                    f"{settings.speech_max_audio_mb:g} MB allowed"
                )
            info = ydl.process_ie_result(info, download=True) or {}
    except (DownloadError, ExtractorError) as exc:
        if is_retryable(exc):
            raise YoutubeRefused(f"yt-dlp could not download the audio: {exc}") from exc
        raise AudioUnavailable(f"yt-dlp could not download the audio: {exc}") from exc
    for download in info.get("requested_downloads") or []:
        path = download.get("filepath")
        if isinstance(path, str) and Path(path).is_file():
            log.info("audio downloaded", video_id=video_id, format=info.get("format_id"))
            return Path(path)
    raise AudioUnavailable("yt-dlp wrote no audio file (larger than announced, or none)")


def audio_duration_s(path: Path) -> float | None:
    """The audio's length from its container, when the container says."""
    with av.open(str(path), metadata_errors="ignore") as container:
        if container.duration is None:
            return None
        return float(container.duration / av.time_base)


def decode_blocks(path: Path) -> Iterator[Samples]:
    """The first audio stream of ``path`` as 16 kHz mono float32 blocks of
    about :data:`DECODE_BLOCK_SAMPLES`; corrupt packets are skipped."""
    with av.open(str(path), metadata_errors="ignore") as container:
        if not container.streams.audio:
            raise AudioUnavailable("the downloaded file has no audio stream")
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        pending: list[Samples] = []
        pending_len = 0
        for frame in itertools.chain(_frames(container), [None]):
            for resampled in resampler.resample(frame):
                block = resampled.to_ndarray().reshape(-1).astype(np.float32) / 32768.0
                pending.append(block)
                pending_len += len(block)
            if pending_len >= DECODE_BLOCK_SAMPLES or (frame is None and pending_len):
                yield np.concatenate(pending)
                pending, pending_len = [], 0


def _frames(container: av.container.InputContainer) -> Iterator[av.AudioFrame]:
    packets = container.demux(audio=0)
    for packet in packets:
        try:
            frames = packet.decode()
        except av.error.InvalidDataError:
            continue
        for frame in frames:
            if isinstance(frame, av.AudioFrame):
                frame.pts = None  # resampler checks timestamps; gaps are not our concern
                yield frame
