"""Drawing the vlogs: moving backdrops, signs and burned-in subtitles (Pillow, NanumGothic),
a quiet chord per scene, and ffmpeg encodes of every format the fake YouTube serves."""

from __future__ import annotations

import hashlib
import math
import subprocess
import tempfile
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from vlog_specs import FPS, HEIGHT, SAMPLE_RATE, WIDTH, Scene, Sign, Vlog

FONT_DIR = Path("/usr/share/fonts/truetype/nanum")
FONT_BOLD = FONT_DIR / "NanumBarunGothicBold.ttf"
FONT_REGULAR = FONT_DIR / "NanumGothicBold.ttf"
PAN_X, PAN_Y = 64, 16


def _font(size: int, bold: bool = True) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_BOLD if bold else FONT_REGULAR), size)


def _gradient(
    top: tuple[int, int, int],
    bottom: tuple[int, int, int],
    w: int,
    h: int,
    stops: tuple[float, ...] | None = None,
) -> np.ndarray:
    t = np.linspace(0.0, 1.0, h)[:, None, None]
    top_a, bottom_a = np.array(top, float), np.array(bottom, float)
    column = top_a + (bottom_a - top_a) * t
    return np.repeat(column, w, axis=1)


def _coarse_noise(rng: np.random.Generator, w: int, h: int, cell: int, amount: float) -> np.ndarray:
    small = rng.normal(0.0, amount, (h // cell + 2, w // cell + 2)).astype(np.float32)
    image = Image.fromarray(small, mode="F").resize(
        ((w // cell + 2) * cell, (h // cell + 2) * cell), Image.Resampling.BILINEAR
    )
    return np.asarray(image)[:h, :w, None]


def _backdrop(kind: str, rng: np.random.Generator, w: int, h: int) -> Image.Image:
    if kind == "station":
        base = _gradient((62, 72, 88), (150, 158, 168), w, h)
        base[::40, :, :] *= 0.8  # wall tiles
        base[:, ::40, :] *= 0.85
    elif kind == "market":
        base = _gradient((38, 22, 30), (176, 92, 52), w, h)
    elif kind == "menu":
        base = _gradient((92, 58, 34), (60, 36, 22), w, h)
        base *= 1 + 0.06 * np.sin(np.linspace(0, 40, h))[:, None, None]  # wood grain
    elif kind == "park":
        base = _gradient((126, 184, 232), (58, 118, 62), w, h)
    elif kind == "beach":
        base = _gradient((132, 192, 240), (150, 200, 240), w, h)
        sea_top, sand_top = int(h * 0.5), int(h * 0.78)
        base[sea_top:sand_top] = _gradient((40, 110, 170), (26, 84, 140), w, sand_top - sea_top)
        base[sand_top:] = _gradient((222, 202, 160), (200, 176, 130), w, h - sand_top)
    else:  # night
        base = _gradient((10, 14, 40), (64, 42, 92), w, h)
    base = base + _coarse_noise(rng, w, h, 16, 9.0) + _coarse_noise(rng, w, h, 4, 3.0)
    image = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    if kind == "market":  # stalls with awnings and lamps
        for x in range(-20, w, 110):
            colour = tuple(
                int(c) for c in rng.choice([(190, 40, 40), (30, 90, 170), (220, 140, 30)])
            )
            top = int(h * 0.58 + rng.integers(-10, 10))
            draw.rectangle((x, top, x + 96, h), fill=(70, 48, 40))
            draw.polygon(
                [(x - 6, top), (x + 102, top), (x + 90, top - 26), (x + 6, top - 26)], fill=colour
            )
        for x in range(30, w, 85):
            y = int(18 + rng.integers(0, 24))
            draw.ellipse((x, y, x + 14, y + 14), fill=(255, 214, 120))
    elif kind == "park":
        for x in range(0, w, 70):
            y = int(h * 0.55 + rng.integers(-20, 10))
            draw.ellipse((x - 30, y - 50, x + 40, y + 20), fill=(34, 90, 44))
            draw.rectangle((x, y + 10, x + 10, y + 60), fill=(80, 56, 36))
    elif kind == "night":
        for _ in range(220):
            x, y = int(rng.integers(0, w)), int(rng.integers(int(h * 0.55), h))
            draw.rectangle((x, y, x + 2, y + 2), fill=(255, 226, 150))
        draw.rectangle((w // 2 - 8, 40, w // 2 + 8, int(h * 0.6)), fill=(200, 200, 220))
    elif kind == "station":
        draw.rectangle((0, int(h * 0.8), w, h), fill=(90, 92, 98))
        draw.rectangle((0, int(h * 0.8), w, int(h * 0.8) + 6), fill=(240, 200, 40))
    return image


_SIGN_STYLES = {
    # board colour, border colour, text colours by line index (first, rest)
    "gate": ((150, 22, 28), (212, 170, 60), (255, 216, 90), (255, 255, 255)),
    "station": ((22, 44, 92), (230, 230, 236), (255, 255, 255), (214, 226, 255)),
    "menu": ((28, 62, 42), (120, 82, 48), (250, 246, 230), (250, 246, 230)),
    "park": ((112, 72, 40), (70, 44, 24), (255, 246, 220), (255, 246, 220)),
    "beach": ((250, 250, 250), (30, 100, 170), (20, 84, 160), (40, 110, 180)),
    "tower": ((24, 18, 40), (255, 120, 200), (255, 150, 220), (230, 230, 255)),
}


def render_sign(sign: Sign) -> Image.Image:
    board, border, first_colour, rest_colour = _SIGN_STYLES[sign.style]
    fonts = [_font(size) for _, _, size in sign.lines]
    boxes = [
        tuple(int(v) for v in f.getbbox(text))
        for f, (text, _, _) in zip(fonts, sign.lines, strict=True)
    ]
    pad_x, pad_y, gap = 30, 18, 10
    badge_w = 54 if sign.badge else 0
    width = max(b[2] - b[0] for b in boxes) + 2 * pad_x + badge_w
    heights = [b[3] - b[1] for b in boxes]
    height = sum(heights) + gap * (len(boxes) - 1) + 2 * pad_y
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(
        (0, 0, width - 1, height - 1), radius=10, fill=board, outline=border, width=5
    )
    if sign.badge:
        number, colour = sign.badge
        cy = pad_y + heights[0] // 2
        draw.ellipse((pad_x - 6, cy - 22, pad_x + 38, cy + 22), fill=colour)
        draw.text((pad_x + 16, cy), number, font=_font(30), fill=(255, 255, 255), anchor="mm")
    y = pad_y
    for index, (font, box, (text, _, _)) in enumerate(zip(fonts, boxes, sign.lines, strict=True)):
        colour = first_colour if index == 0 else rest_colour
        x = badge_w + (width - badge_w - (box[2] - box[0])) // 2 - box[0]
        draw.text((x, y - box[1]), text, font=font, fill=colour)
        y += (box[3] - box[1]) + gap
    return image


def render_subtitle(text: str) -> Image.Image:
    overlay = Image.new("RGBA", (WIDTH, HEIGHT), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    draw.text(
        (WIDTH // 2, HEIGHT - 34),
        text,
        font=_font(26),
        fill=(255, 255, 255),
        anchor="mm",
        stroke_width=3,
        stroke_fill=(0, 0, 0),
    )
    return overlay


def _person_sprite(rng: np.random.Generator) -> np.ndarray:
    """A dark silhouette as premultiplied RGBA floats."""
    w, h = int(rng.integers(34, 48)), int(rng.integers(96, 120))
    mask = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(mask)
    draw.ellipse((w // 2 - 11, 0, w // 2 + 11, 24), fill=230)
    draw.rounded_rectangle((2, 22, w - 2, h), radius=12, fill=230)
    colour = np.array(rng.choice([(30, 30, 36), (60, 40, 44), (40, 50, 70)]), np.float32)
    alpha = np.asarray(mask, np.float32)[:, :, None] / 255.0
    return np.concatenate([alpha * colour, alpha], axis=2)


def render_scene_frames(scene: Scene, index: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Yield the scene's frames as (HEIGHT, WIDTH, 3) uint8 arrays."""
    texture = _backdrop(scene.backdrop, rng, WIDTH + PAN_X, HEIGHT + PAN_Y)
    sign = render_sign(scene.sign)
    if sign.width > WIDTH - PAN_X - 20:
        raise ValueError(f"sign too wide for the pan: {scene.sign.lines[0][0]}")
    sign_x = PAN_X + (WIDTH - PAN_X - sign.width) // 2
    sign_y = PAN_Y + 24
    texture.paste(sign, (sign_x, sign_y), sign)
    base = np.asarray(texture, np.float32)
    subtitle = None
    if scene.subtitle:
        sub = np.asarray(render_subtitle(scene.subtitle[0]), np.float32)
        subtitle = (sub[:, :, :3] * (sub[:, :, 3:] / 255.0), sub[:, :, 3:] / 255.0)
    walkers = []
    if scene.backdrop != "menu":
        for _ in range(3):
            walkers.append(
                (
                    _person_sprite(rng),
                    float(rng.uniform(-60, WIDTH)),
                    float(rng.choice([-1, 1]) * rng.uniform(40, 90)),
                    int(rng.integers(HEIGHT - 150, HEIGHT - 110)),
                )
            )
    frames = round(scene.duration * FPS)
    direction = 1 if index % 2 == 0 else -1
    for n in range(frames):
        t = n / FPS
        progress = n / max(1, frames - 1)
        pan = progress if direction > 0 else 1 - progress
        x0 = round(pan * PAN_X)
        y0 = round(PAN_Y * 0.5 * (1 - math.cos(math.pi * progress)))
        frame = base[y0 : y0 + HEIGHT, x0 : x0 + WIDTH].copy()
        for sprite, start_x, speed, y in walkers:
            x = int((start_x + speed * t) % (WIDTH + 80)) - 60
            h, w = sprite.shape[:2]
            left, right = max(0, x), min(WIDTH, x + w)
            bottom = min(HEIGHT, y + h)
            if right <= left:
                continue
            part = sprite[: bottom - y, left - x : right - x]
            region = frame[y:bottom, left:right]
            region *= 1 - part[:, :, 3:]
            region += part[:, :, :3]
        frame *= 1 + 0.025 * math.sin(2 * math.pi * t / 2.3)  # light flicker
        if subtitle is not None:
            colour, alpha = subtitle
            frame = frame * (1 - alpha) + colour
        yield np.clip(frame, 0, 255).astype(np.uint8)


def render_audio(vlog: Vlog, path: Path) -> None:
    """A quiet chord per scene with short fades: enough for audio formats to be real."""
    chunks = []
    for scene in vlog.scenes:
        n = round(scene.duration * SAMPLE_RATE)
        t = np.arange(n) / SAMPLE_RATE
        tone = sum(np.sin(2 * np.pi * f * t) for f in scene.chord) / len(scene.chord)
        fade = np.minimum(1.0, np.minimum(t, scene.duration - t) / 0.25)
        chunks.append(0.12 * tone * fade)
    mono = np.concatenate(chunks)
    stereo = np.stack([mono, mono * 0.9], axis=1)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes((stereo * 32767).astype("<i2").tobytes())


def _ffmpeg(*args: str, stdin: int | None = None) -> subprocess.Popen[bytes]:
    command = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args]
    return subprocess.Popen(command, stdin=stdin)


def _run_ffmpeg(*args: str) -> None:
    if _ffmpeg(*args).wait() != 0:
        raise RuntimeError(f"ffmpeg failed: {' '.join(args)}")


_BITEXACT = ("-fflags", "+bitexact", "-map_metadata", "-1", "-movflags", "+faststart")


def render_media(vlog: Vlog, out_dir: Path) -> None:
    rng = np.random.default_rng(int(hashlib.sha256(vlog.video_id.encode()).hexdigest()[:8], 16))
    with tempfile.TemporaryDirectory() as tmp:
        audio = Path(tmp) / "audio.wav"
        render_audio(vlog, audio)
        encoder = _ffmpeg(
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-s",
            f"{WIDTH}x{HEIGHT}",
            "-r",
            str(FPS),
            "-i",
            "pipe:0",
            "-i",
            str(audio),
            "-map",
            "0:v",
            "-map",
            "1:a",
            "-c:v",
            "libx264",
            "-preset",
            "slow",
            "-crf",
            "29",
            "-profile:v",
            "baseline",
            "-level",
            "3.0",
            "-pix_fmt",
            "yuv420p",
            "-g",
            str(FPS * 2),
            "-flags:v",
            "+bitexact",
            "-c:a",
            "aac",
            "-b:a",
            "48k",
            "-ar",
            str(SAMPLE_RATE),
            "-ac",
            "2",
            "-flags:a",
            "+bitexact",
            *_BITEXACT,
            str(out_dir / "video.mp4"),
            stdin=subprocess.PIPE,
        )
        assert encoder.stdin is not None
        for index, scene in enumerate(vlog.scenes):
            for frame in render_scene_frames(scene, index, rng):
                encoder.stdin.write(frame.tobytes())
        encoder.stdin.close()
        if encoder.wait() != 0:
            raise RuntimeError("ffmpeg failed to encode video.mp4")
    source = str(out_dir / "video.mp4")
    _run_ffmpeg(
        "-i", source, "-map", "0:v", "-c", "copy", *_BITEXACT, str(out_dir / "video_360p.mp4")
    )
    _run_ffmpeg(
        "-i",
        source,
        "-map",
        "0:v",
        "-vf",
        "scale=256:144",
        "-c:v",
        "libx264",
        "-preset",
        "slow",
        "-crf",
        "30",
        "-profile:v",
        "main",
        "-pix_fmt",
        "yuv420p",
        "-g",
        str(FPS * 2),
        "-flags:v",
        "+bitexact",
        *_BITEXACT,
        str(out_dir / "video_144p.mp4"),
    )
    _run_ffmpeg("-i", source, "-map", "0:a", "-c", "copy", *_BITEXACT, str(out_dir / "audio.m4a"))


def render_thumbnails(vlog: Vlog, out_dir: Path) -> None:
    rng = np.random.default_rng(len(vlog.video_id) * 7919 + sum(map(ord, vlog.video_id)))
    big, small = vlog.thumbnail_text
    hero = next((s for s in vlog.scenes if s.sign.lines[0][0] in big), vlog.scenes[0])
    image = _backdrop(hero.backdrop, rng, 1280, 720)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(
        (90, 170, 1190, 470), radius=24, fill=(150, 22, 28), outline=(212, 170, 60), width=10
    )
    draw.text((640, 280), big, font=_font(120), fill=(255, 216, 90), anchor="mm")
    draw.text((640, 410), small, font=_font(56), fill=(255, 255, 255), anchor="mm")
    draw.text(
        (640, 600),
        "VLOG",
        font=_font(90),
        fill=(255, 240, 0),
        anchor="mm",
        stroke_width=6,
        stroke_fill=(0, 0, 0),
    )
    image.save(out_dir / "thumbnail.jpg", quality=85, optimize=True)
    hq = Image.new("RGB", (480, 360), (0, 0, 0))  # hqdefault is 4:3, letterboxed
    hq.paste(image.resize((480, 270), Image.Resampling.LANCZOS), (0, 45))
    hq.save(out_dir / "thumbnail_hq.jpg", quality=85, optimize=True)
