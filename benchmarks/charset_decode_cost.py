"""What decoding a request body costs in each charset the toolkit accepts (issue 16, item 13).

    .venv/bin/python benchmarks/charset_decode_cost.py [--mb 6]

For every text encoding of the standard library that ``media_types.text_codec`` accepts, it
decodes valid text of about 1 MB and about 4 MB, and prints the time per MB of both and
their ratio (linear: about 1; memory caches make the larger body somewhat dearer per MB).
The worst codec's time per MB, times SAGEMAKER_MAX_PAYLOAD_IN_MB, bounds
how long one body can hold a worker in its decode step. It then shows why the refused
codecs are refused: punycode's cost grows with the square of the body. Nothing is asserted;
ratios are measured in the same run, so a loaded machine skews both sides alike.
"""

from __future__ import annotations

import argparse
import codecs
import encodings
import pkgutil
import random
import time

from sagemaker_hf.toolkit import media_types
from sagemaker_hf.toolkit.errors import UnsupportedMediaTypeError

# Characters to build texts from: mostly ASCII, then a spread of the BMP (CJK included).
POOL = [chr(c) for c in range(0x20, 0x7F)] * 20 + [chr(c) for c in range(0xA0, 0xA000, 13)]


def accepted_codecs() -> list[str]:
    names = set()
    for module in pkgutil.iter_modules(encodings.__path__):
        try:
            names.add(
                media_types.text_codec(media_types.parse_media_type(f"text/csv; charset={module.name}"))
            )
        except UnsupportedMediaTypeError:
            continue
    return sorted(names)


def sample_text(codec: str, characters: int, rng: random.Random) -> str:
    """Text of ``characters`` characters that ``codec`` can encode and decode back."""
    usable = []
    for char in POOL:
        try:
            if codecs.decode(codecs.encode(char, codec), codec) == char:
                usable.append(char)
        except (UnicodeError, ValueError):
            continue
    block = "".join(rng.choice(usable) for _ in range(4096))
    return (block * (characters // len(block) + 1))[:characters]


def decode_seconds(body: bytes, codec: str, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        body.decode(codec)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=6.0, help="the payload limit to bound (MB)")
    arguments = parser.parse_args()
    rng = random.Random(0)
    rows = []
    for codec in accepted_codecs():
        text = sample_text(codec, 1_000_000, rng)
        small, large = codecs.encode(text, codec), codecs.encode(text * 4, codec)
        small_seconds, large_seconds = decode_seconds(small, codec), decode_seconds(large, codec)
        per_mb = large_seconds / (len(large) / 1e6)
        growth = per_mb / (small_seconds / (len(small) / 1e6))
        # Sub-millisecond decodes (the one-byte charsets) are all noise and cache effects.
        rows.append((per_mb, codec, len(large), large_seconds, growth if small_seconds >= 1e-3 else 1.0))
    rows.sort(reverse=True)
    print(
        f"{len(rows)} accepted charsets; decode of ~4 MB; growth: cost per MB at ~4 over ~1 MB (linear: ~1)"
    )
    print(f"{'codec':<18} {'bytes':>10} {'ms':>8} {'ms/MB':>7} {'growth':>7}")
    for per_mb, codec, size, seconds, growth in rows[:12]:
        print(f"{codec:<18} {size:>10,} {seconds * 1e3:>8.1f} {per_mb * 1e3:>7.1f} {growth:>7.2f}")
    print(f"... {len(rows) - 12} more, each faster per MB")
    worst = rows[0]
    steepest = max(rows, key=lambda row: row[4])
    print(f"largest growth (of decodes over 1 ms at ~1 MB): x{steepest[4]:.2f} ({steepest[1]})")
    print(f"worst case for a {arguments.mb:g} MB body: {worst[0] * arguments.mb * 1e3:.0f} ms ({worst[1]})")
    print("refused: punycode, whose cost grows with the square of the body:")
    for size in (30_000, 60_000, 120_000):
        third = size // 3
        body = b"x" * third + b"-" + b"ba" * third
        print(f"  punycode {size:>8,} bytes: {decode_seconds(body, 'punycode', repeats=1) * 1e3:>8.0f} ms")


if __name__ == "__main__":
    main()
