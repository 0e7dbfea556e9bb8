"""A loopback stand-in for Twilio's Messages API: the real `twilio` SDK talks to it over HTTP.

It keeps every request it got (method, path, form fields, headers) and the messages it
"accepted", answers GET for one message and for the list (the reconciliation), and can be
told how to answer the next creates: "ok", "500", "429", "21211", "21614", "hang" (answer
only after `hang_seconds`) or "accept-then-hang" (take the message, then keep the caller
waiting: the worker-killed-after-accept case).
"""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


@dataclass
class TwilioFake:
    host: str
    port: int
    requests: list[dict] = field(default_factory=list)
    messages: dict[str, dict] = field(default_factory=dict)
    script: list[str] = field(default_factory=list)
    hang_seconds: float = 5.0
    server: ThreadingHTTPServer | None = None
    accepted: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def creates(self) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST"]

    def close(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


ERRORS = {
    "500": (500, {"code": 20500, "message": "Internal Server Error", "status": 500}),
    "429": (429, {"code": 20429, "message": "Too Many Requests", "status": 429}),
    "21211": (400, {"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}),
    "21614": (
        400,
        {"code": 21614, "message": "'To' number is not a valid mobile number", "status": 400},
    ),
}


def _resource(sid: str, fields: dict, status: str = "queued") -> dict:
    return {
        "sid": sid,
        "account_sid": "AC" + "0" * 32,
        "to": fields.get("To", ""),
        "from": fields.get("From", ""),
        "body": fields.get("Body", ""),
        "status": status,
        "num_segments": "1",
        "direction": "outbound-api",
        "date_created": "Wed, 25 Nov 2026 07:00:00 +0000",
        "uri": f"/2010-04-01/Accounts/AC/Messages/{sid}.json",
    }


def start_twilio_fake(host: str = "127.0.0.1") -> TwilioFake:
    fake = TwilioFake(host=host, port=0)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _answer(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the caller gave up waiting

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            fields = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            fake.requests.append(
                {
                    "method": "POST",
                    "path": self.path,
                    "fields": fields,
                    "headers": dict(self.headers),
                }
            )
            behaviour = fake.script.pop(0) if fake.script else "ok"
            if behaviour in ERRORS:
                self._answer(*ERRORS[behaviour])
                return
            if behaviour == "hang":
                time.sleep(fake.hang_seconds)
                self._answer(*ERRORS["500"])
                return
            sid = f"SM{len(fake.messages) + 1:032d}"
            fake.messages[sid] = _resource(sid, fields)
            fake.accepted.set()
            if behaviour == "accept-then-hang":
                time.sleep(fake.hang_seconds)
            self._answer(201, fake.messages[sid])

        def do_GET(self):
            url = urlparse(self.path)
            fake.requests.append({"method": "GET", "path": self.path, "fields": {}, "headers": {}})
            name = url.path.rsplit("/", 1)[-1]
            if name.startswith("SM"):
                sid = name.removesuffix(".json")
                if sid in fake.messages:
                    self._answer(200, fake.messages[sid])
                else:
                    self._answer(404, {"code": 20404, "message": "Not Found", "status": 404})
                return
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            found = [m for m in fake.messages.values() if m["to"] == query.get("To", m["to"])]
            self._answer(
                200,
                {
                    "messages": found,
                    "next_page_uri": None,
                    "page": 0,
                    "page_size": 50,
                    "uri": url.path,
                    "first_page_uri": url.path,
                    "previous_page_uri": None,
                    "start": 0,
                    "end": len(found),
                },
            )

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    fake.server, fake.port = server, server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake
