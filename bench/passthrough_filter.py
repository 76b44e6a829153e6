"""A content filter that judges nothing: aiosmtpd in, Seawall's re-injection out, no scan and
no store. ``bench/mailflow.py --passthrough`` runs it where ``seawall filter`` would stand, to
measure what the after-queue path itself costs on this machine (Postfix passing each message
twice, the SMTP conversations): the ceiling any content filter has here.

    python bench/passthrough_filter.py LISTEN_PORT REINJECT_PORT
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from aiosmtpd.controller import Controller

from seawall.service.filter import Address, Reinjector


class Passthrough:
    """The filter's SMTP side and re-injection, as ``FilterHandler`` does them, without judging."""

    def __init__(self, reinject: Address) -> None:
        self.reinjector = Reinjector(reinject, 30.0)
        self.executor = ThreadPoolExecutor(max_workers=1)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        data = bytes(envelope.original_content or envelope.content)
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(
                self.executor, self.reinjector.send, envelope.mail_from, list(envelope.rcpt_tos), data
            )
        except Exception:
            return "451 4.3.0 try again later"
        return "250 2.0.0 Delivered"


def main() -> None:
    listen, reinject = int(sys.argv[1]), int(sys.argv[2])
    controller = Controller(
        Passthrough(Address("127.0.0.1", reinject)), hostname="127.0.0.1", port=listen, decode_data=False
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    controller.start()
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
