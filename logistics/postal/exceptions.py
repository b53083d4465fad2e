"""Errors of the postal partner integration. None of these texts is shown to shoppers: the tracking page and
the sync turn them into "try later" states; support staff see them in logs and on the ticket rows."""

from __future__ import annotations


class PostalError(Exception):
    """Anything the postal partner integration could not do."""


class PartnerUnavailable(PostalError):
    """Network error, timeout, HTTP 5xx, an unreadable answer or the partner's internal error (16), after retries.
    Counts towards the circuit breaker."""


class MalformedAnswer(PartnerUnavailable):
    """An answer that could not be read (not XML, not a SOAP envelope, a required part missing), after retries.
    Still PartnerUnavailable for the client (retried, counts towards the breaker), but the sync treats it as that
    one request's failure: a ticket whose answer stays unreadable is closed and its parcels asked about again,
    instead of pausing the whole pass on every run."""


class CircuitOpen(PartnerUnavailable):
    """The circuit breaker is open after repeated failures: calls are not even tried until it closes."""

    def __init__(self, service: str, seconds_left: float) -> None:
        super().__init__(f"{service}: circuit open for another {seconds_left:.0f} s")
        self.service = service
        self.seconds_left = seconds_left


class PartnerAuthError(PostalError):
    """The partner refused our credentials (batch error 3, AuthorizationFault, HTTP 401). Counts towards the breaker:
    retrying every parcel with bad credentials would only get the account blocked."""


class PartnerError(PostalError):
    """A whole-request error the partner reported with a code (batch ErrorTypeID, a SOAP fault, an Otpravka error)."""

    def __init__(self, code: int | str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class TicketNotReady(PartnerError):
    """Batch error 6: the answer is not prepared yet; ask again no sooner than 15 minutes later."""


class TicketExpired(PartnerError):
    """Batch error 17: the answer was kept 32 hours and is gone; its barcodes need a new ticket."""


class RegistrationRejected(PostalError):
    """The Otpravka API refused a parcel (validation): the codes say why; retrying the same data will not help."""

    def __init__(self, errors: list[dict]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.get('code')}: {e.get('description', '')}" for e in errors) or "rejected")
