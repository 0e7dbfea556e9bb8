"""A loopback SMTP server for tests: the real smtplib / Django SMTP backend talks to it.

It speaks just enough SMTP (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and keeps each
message it accepted as raw bytes with its envelope.
"""

import email
import socketserver
import threading
from dataclasses import dataclass, field
from email import policy


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.data, policy=policy.default)


@dataclass
class SmtpFake:
    host: str
    port: int
    messages: list[Received] = field(default_factory=list)
    server: socketserver.ThreadingTCPServer | None = None

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def close(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def start_smtp_fake(host: str = "127.0.0.1") -> SmtpFake:
    fake = SmtpFake(host=host, port=0)

    class Handler(socketserver.StreamRequestHandler):
        def reply(self, line: str) -> None:
            self.wfile.write(line.encode() + b"\r\n")

        def handle(self) -> None:
            sender, recipients = "", []
            self.reply("220 localhost fake SMTP")
            while line := self.rfile.readline():
                command = line.decode("utf-8", "replace").strip()
                verb = command[:4].upper()
                if verb in ("EHLO", "HELO"):
                    self.reply("250 localhost")
                elif verb == "MAIL":
                    sender, recipients = command.split(":", 1)[1].strip(" <>"), []
                    self.reply("250 OK")
                elif verb == "RCPT":
                    recipients.append(command.split(":", 1)[1].strip(" <>"))
                    self.reply("250 OK")
                elif verb == "DATA":
                    self.reply("354 End data with <CR><LF>.<CR><LF>")
                    chunks = []
                    while (chunk := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                        chunks.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                    fake.messages.append(Received(sender, recipients, b"".join(chunks)))
                    self.reply("250 OK: queued")
                elif verb == "QUIT":
                    self.reply("221 Bye")
                    return
                else:  # RSET, NOOP and anything else
                    self.reply("250 OK")

    server = socketserver.ThreadingTCPServer((host, 0), Handler)
    server.daemon_threads = True
    fake.server, fake.port = server, server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake
