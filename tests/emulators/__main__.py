"""Run the emulators by hand: `cd tests && python -m emulators [--fal-port N] [--openai-port N]`.

Each prints its base URL on a line of its own ("fal    http://..."), so a benchmark can start them in a process
of their own and read where they listen."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from .fal_emulator import FalEmulator
from .openai_emulator import OpenAIEmulator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fal-port", type=int, default=0)
    parser.add_argument("--openai-port", type=int, default=0)
    parser.add_argument("--queue-seconds", type=float, default=1.0)
    parser.add_argument("--run-seconds", type=float, default=3.0)
    parser.add_argument("--image-scale", type=float, default=0.25)
    parser.add_argument("--image-file", type=Path, help="answer every image request with this file (one real image)")
    args = parser.parse_args()
    fal = FalEmulator(
        port=args.fal_port, queue_seconds=args.queue_seconds, run_seconds=args.run_seconds, image_scale=args.image_scale,
        fixed_image=args.image_file.read_bytes() if args.image_file else None,
    )
    oai = OpenAIEmulator(port=args.openai_port)
    with fal, oai:
        print(f"fal    {fal.base_url}", flush=True)
        print(f"openai {oai.base_url}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
