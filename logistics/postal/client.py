"""The postal partner's tracking API (DOMAIN.md 1): plain HTTP with hand-written SOAP envelopes.

Why not zeep: two small operations per service, answers we must read defensively record by record anyway, and
a batch answer of 500 parcels parsed many times per sync; a WSDL-driven stack adds start-up cost and a
dependency without removing any of that.

- Single access (SOAP 1.2, `/rtm34`): getOperationHistory, PostalOrderEventsForMail.
- Batch access (SOAP 1.1, `/fc`): getTicket, getResponseByTicket.
- Every call: a timeout per attempt; retries with exponential backoff on connection errors, timeouts, HTTP 5xx
  without a SOAP fault, unreadable answers and the partner's internal error (16); a circuit breaker in Redis
  per service (see breaker.py). Answers with a meaning (not ready, expired, per-item errors, bad credentials)
  are not retried.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar
from xml.sax.saxutils import escape, quoteattr

import requests
from django.conf import settings

from .breaker import CircuitBreaker
from .exceptions import PartnerAuthError, PartnerError, PartnerUnavailable
from .parsing import (
    BatchAnswer,
    CodEvent,
    PartnerEvent,
    parse_batch_answer,
    parse_cod_events,
    parse_history,
    parse_ticket,
)

log = logging.getLogger("logistics.postal")
T = TypeVar("T")

SOAP12_TYPE = "application/soap+xml; charset=utf-8"
SOAP11_TYPE = "text/xml; charset=utf-8"
MAX_BARCODES = 3000


@dataclass(frozen=True)
class PostConfig:
    single_url: str
    batch_url: str
    otpravka_url: str
    login: str
    password: str
    otpravka_token: str
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0
    breaker_failures: int = 5
    breaker_seconds: float = 300.0

    @classmethod
    def from_settings(cls) -> PostConfig:
        return cls(
            single_url=settings.STORE_POST_SINGLE_URL,
            batch_url=settings.STORE_POST_BATCH_URL,
            otpravka_url=settings.STORE_POST_OTPRAVKA_URL,
            login=settings.STORE_POST_LOGIN,
            password=settings.STORE_POST_PASSWORD,
            otpravka_token=settings.STORE_POST_OTPRAVKA_TOKEN,
            timeout=settings.STORE_POST_TIMEOUT,
            retries=settings.STORE_POST_RETRIES,
            backoff=settings.STORE_POST_RETRY_BACKOFF,
            breaker_failures=settings.STORE_POST_BREAKER_FAILURES,
            breaker_seconds=settings.STORE_POST_BREAKER_SECONDS,
        )

    def breaker(self, service: str) -> CircuitBreaker:
        return CircuitBreaker(service, failures=self.breaker_failures, seconds=self.breaker_seconds)


class HttpCaller:
    """One HTTP exchange with retries, backoff and the service's circuit breaker; `parse` decides what an answer
    means (raising PartnerUnavailable for the retryable ones)."""

    def __init__(self, config: PostConfig, *, session: requests.Session | None = None) -> None:
        self.config = config
        self.session = session or requests.Session()

    def call(
        self,
        service: str,
        method: str,
        url: str,
        *,
        parse: Callable[[requests.Response], T],
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        params: dict | None = None,
    ) -> T:
        breaker = self.config.breaker(service)
        breaker.check()
        attempts = max(1, self.config.retries + 1)
        last: Exception | None = None
        for attempt in range(attempts):
            if attempt:
                delay = self.config.backoff * (2 ** (attempt - 1))
                time.sleep(delay * random.uniform(0.8, 1.2))  # jitter: workers retrying together spread out
            try:
                response = self.session.request(
                    method, url, data=data, headers=headers, params=params, timeout=self.config.timeout
                )
                result = parse(response)
            except (requests.ConnectionError, requests.Timeout) as exc:
                last = PartnerUnavailable(f"{service}: {type(exc).__name__}: {exc}")
            except PartnerUnavailable as exc:
                last = exc
            except PartnerAuthError:
                breaker.record_failure()
                raise
            except PartnerError:
                breaker.record_success()  # the partner answered with a meaning: it is up
                raise
            else:
                breaker.record_success()
                return result
            log.warning(
                "postal call failed",
                extra={"service": service, "url": url, "attempt": attempt + 1, "error": str(last)},
            )
        breaker.record_failure()
        raise last or PartnerUnavailable(service)


def _soap_parser(parse: Callable[[bytes], T]) -> Callable[[requests.Response], T]:
    """SOAP answers: 200, or 500 carrying a SOAP Fault (JAX-WS style); any other status is the partner being down."""

    def run(response: requests.Response) -> T:
        if response.status_code == 200 or (response.status_code == 500 and b"Fault" in response.content[:4096]):
            return parse(response.content)
        raise PartnerUnavailable(f"HTTP {response.status_code}")

    return run


class TrackingClient:
    def __init__(self, config: PostConfig | None = None, *, session: requests.Session | None = None) -> None:
        self.config = config or PostConfig.from_settings()
        self.http = HttpCaller(self.config, session=session)

    # --- single access, SOAP 1.2
    def _auth12(self) -> str:
        return (
            '<data:AuthorizationHeader soapenv:mustUnderstand="1">'
            f"<data:login>{escape(self.config.login)}</data:login>"
            f"<data:password>{escape(self.config.password)}</data:password>"
            "</data:AuthorizationHeader>"
        )

    def _envelope12(self, inner: str) -> bytes:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" '
            'xmlns:oper="http://russianpost.org/operationhistory" '
            'xmlns:data="http://russianpost.org/operationhistory/data" '
            'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:data1="http://www.russianpost.org/RTM/DataExchangeESPP/Data">'
            f"<soap:Header/><soap:Body>{inner}</soap:Body></soap:Envelope>"
        ).encode()

    def history(self, barcode: str, *, language: str = "RUS") -> list[PartnerEvent]:
        """getOperationHistory: every operation on one item (empty list while the partner has none)."""
        body = self._envelope12(
            "<oper:getOperationHistory><data:OperationHistoryRequest>"
            f"<data:Barcode>{escape(barcode)}</data:Barcode><data:MessageType>0</data:MessageType>"
            f"<data:Language>{escape(language)}</data:Language></data:OperationHistoryRequest>"
            f"{self._auth12()}</oper:getOperationHistory>"
        )
        return self.http.call(
            "single",
            "POST",
            self.config.single_url,
            data=body,
            headers={"Content-Type": SOAP12_TYPE},
            parse=_soap_parser(lambda content: parse_history(content, barcode=barcode)),
        )

    def cod_events(self, barcode: str, *, language: str = "RUS") -> list[CodEvent]:
        """PostalOrderEventsForMail: the money-order events of a COD item (1 «Приём», 3 «Оплата», …)."""
        body = self._envelope12(
            f"<oper:PostalOrderEventsForMail>{self._auth12()}"
            f"<data1:PostalOrderEventsForMailInput Barcode={quoteattr(barcode)} Language={quoteattr(language)}/>"
            "</oper:PostalOrderEventsForMail>"
        )
        return self.http.call(
            "single",
            "POST",
            self.config.single_url,
            data=body,
            headers={"Content-Type": SOAP12_TYPE},
            parse=_soap_parser(parse_cod_events),
        )

    # --- batch access, SOAP 1.1
    def _envelope11(self, inner: str) -> bytes:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:pos="http://fclient.russianpost.org/postserver" xmlns:fcl="http://fclient.russianpost.org">'
            f"<soapenv:Header/><soapenv:Body>{inner}</soapenv:Body></soapenv:Envelope>"
        ).encode()

    def _credentials11(self) -> str:
        return f"<login>{escape(self.config.login)}</login><password>{escape(self.config.password)}</password>"

    def ticket_get(self, barcodes: Sequence[str], *, language: str = "RUS") -> str:
        """getTicket for up to 3,000 barcodes (500 in practice: bigger answers fail); the ticket id."""
        if not 1 <= len(barcodes) <= MAX_BARCODES:
            raise ValueError(f"a ticket takes 1..{MAX_BARCODES} barcodes, not {len(barcodes)}")
        items = "".join(f"<fcl:Item Barcode={quoteattr(b)}/>" for b in barcodes)
        body = self._envelope11(
            f"<pos:ticketRequest><request>{items}</request>{self._credentials11()}"
            f"<language>{escape(language)}</language></pos:ticketRequest>"
        )
        return self._batch_call(body, parse_ticket)

    def ticket_answer(self, ticket: str) -> BatchAnswer:
        """getResponseByTicket; raises TicketNotReady (6) and TicketExpired (17)."""
        body = self._envelope11(
            f"<pos:answerByTicketRequest><ticket>{escape(ticket)}</ticket>{self._credentials11()}"
            "</pos:answerByTicketRequest>"
        )
        return self._batch_call(body, parse_batch_answer)

    def _batch_call(self, body: bytes, parse: Callable[[bytes], T]) -> T:
        return self.http.call(
            "batch",
            "POST",
            self.config.batch_url,
            data=body,
            headers={"Content-Type": SOAP11_TYPE, "SOAPAction": '""'},
            parse=_soap_parser(parse),
        )
