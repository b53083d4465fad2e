"""EMAIL_BACKEND picks the real SMTP backend by settings: the notification reaches an SMTP server over TCP."""

import email
import socketserver
import threading
from email.header import decode_header, make_header

import pytest

from storefront.notifications.models import Notification, Status
from storefront.notifications.services import notification_send
from tests.outbox.inline import run_outbox_jobs

pytestmark = pytest.mark.django_db


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough of RFC 5321 for smtplib: EHLO, MAIL, RCPT, DATA, QUIT; every message kept on the server."""

    def _reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self):
        self._reply("220 test-smtp ready")
        envelope = {"from": None, "to": []}
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._reply("250 test-smtp")
            elif verb == "MAIL":
                envelope = {"from": command.split(":", 1)[1].strip("<> "), "to": []}
                self._reply("250 OK")
            elif verb == "RCPT":
                envelope["to"].append(command.split(":", 1)[1].strip("<> "))
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 go ahead")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                self.server.messages.append((envelope, email.message_from_bytes(data)))
                self._reply("250 queued")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("250 OK")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.daemon_threads = True
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_with_the_smtp_backend_selected_an_email_notification_goes_out_over_smtp(customer, settings, smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.server_address
    settings.EMAIL_TIMEOUT = 5
    context = {"number": "M-1001", "total": "1 299 ₽", "link": "http://127.0.0.1:8000/orders/M-1001/"}
    notification = notification_send(
        key="order_placed:email", kind="order_placed", channel="email", to_user=customer, context=context
    )

    run_outbox_jobs()

    notification = Notification.objects.get(pk=notification.pk)
    assert notification.status == Status.SENT
    [(envelope, message)] = smtp_server.messages
    assert envelope["to"] == ["anna@example.ru"]
    assert "M-1001" in str(make_header(decode_header(message["Subject"])))
