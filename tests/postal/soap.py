"""Raw SOAP/HTTP to the sandbox, without our client: for tests of the protocol itself."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

BATCH = (
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:pos="http://fclient.russianpost.org/postserver" xmlns:fcl="http://fclient.russianpost.org">'
    "<soapenv:Header/><soapenv:Body>{}</soapenv:Body></soapenv:Envelope>"
)


def post(url: str, body: str | bytes, content_type: str = "text/xml; charset=utf-8") -> tuple[int, str]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(
            "POST",
            parts.path,
            body=body.encode() if isinstance(body, str) else body,
            headers={"Content-Type": content_type},
        )
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def ticket_request(barcodes, login="store", password="sandbox-password", language="RUS") -> str:
    items = "".join(f'<fcl:Item Barcode="{b}"/>' for b in barcodes)
    return BATCH.format(
        f"<pos:ticketRequest><request>{items}</request><login>{login}</login>"
        f"<password>{password}</password><language>{language}</language></pos:ticketRequest>"
    )
