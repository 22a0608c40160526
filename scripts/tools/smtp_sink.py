"""A real SMTP server for the tests (aiosmtpd, pinned in scripts/tools/smtp-requirements.txt).

Every message it accepts is written to --dir twice, atomically (temporary name, then rename):
  <n>.eml   the raw message as received;
  <n>.json  {"mail_from", "rcpt_tos", "headers": {name: [values]}, "text", "html"}, the parts
            decoded, so tests need no MIME parser.

Refusals, to test retries, chosen by the recipient so parallel tests do not disturb each other:
  refuse<N>-anything@host   answered 451 (try again later) the first N times that exact address
                            is offered, then accepted;
  reject-anything@host      always answered 550 (permanent).
A file named `refuse` in --dir holding a number N makes the next N messages (any recipient)
get 451; the number is counted down.

--port 0 picks a free port; --port-file receives the port once the server listens.
--parent-pid makes the server exit when that process is gone (test binaries start it).
--user/--password require AUTH (PLAIN/LOGIN, allowed without TLS: loopback only).
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import re
import signal
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

REFUSE = re.compile(r"^refuse(\d+)-", re.IGNORECASE)


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.offered = {}
        self.seq = 0
        self.lock = threading.Lock()

    def _refuse_file(self):
        path = os.path.join(self.folder, "refuse")
        with self.lock:
            try:
                with open(path) as f:
                    left = int(f.read().strip() or "0")
            except (OSError, ValueError):
                return False
            if left <= 0:
                return False
            with open(path, "w") as f:
                f.write(str(left - 1))
            return True

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0]
        if local.lower().startswith("reject-"):
            return "550 5.1.1 Mailbox refused (test sink)"
        m = REFUSE.match(local)
        if m:
            key = address.lower()
            with self.lock:
                seen = self.offered.get(key, 0)
                self.offered[key] = seen + 1
            if seen < int(m.group(1)):
                return "451 4.3.0 Try again later (test sink refusal %d of %s)" % (seen + 1, m.group(1))
        if self._refuse_file():
            return "451 4.3.0 Try again later (test sink refuse file)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        headers = {}
        for name, value in msg.items():
            headers.setdefault(name.lower(), []).append(str(value))
        text = html = None
        for part in msg.walk():
            if part.is_multipart():
                continue
            ctype = part.get_content_type()
            if ctype == "text/plain" and text is None:
                text = part.get_content()
            elif ctype == "text/html" and html is None:
                html = part.get_content()
        with self.lock:
            self.seq += 1
            name = "%d-%06d" % (time.time_ns(), self.seq)
        doc = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "headers": headers,
            "text": text,
            "html": html,
        }
        for ext, data in (("eml", raw), ("json", json.dumps(doc).encode("utf-8"))):
            tmp = os.path.join(self.folder, ".%s.%s.tmp" % (name, ext))
            with open(tmp, "wb") as f:
                f.write(data)
            os.rename(tmp, os.path.join(self.folder, "%s.%s" % (name, ext)))
        return "250 Message accepted for delivery"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port-file")
    ap.add_argument("--parent-pid", type=int)
    ap.add_argument("--user")
    ap.add_argument("--password")
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    port = args.port
    if port == 0:
        import socket

        s = socket.socket()
        s.bind((args.host, 0))
        port = s.getsockname()[1]
        s.close()

    kwargs = {}
    if args.user:

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (
                auth_data is not None
                and getattr(auth_data, "login", b"") == args.user.encode()
                and getattr(auth_data, "password", b"") == (args.password or "").encode()
            )
            return AuthResult(success=ok)

        kwargs = {"authenticator": authenticator, "auth_required": True, "auth_require_tls": False}

    controller = Controller(Sink(args.dir), hostname=args.host, port=port, **kwargs)
    controller.start()
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(port))
        os.rename(tmp, args.port_file)
    print("smtp sink listening on %s:%d, writing to %s" % (args.host, port, args.dir), flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.5):
        if args.parent_pid and os.getppid() != args.parent_pid:
            break
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
