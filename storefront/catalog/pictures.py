"""Pictures a feed names by URL (`ProductImage.source_url`), fetched after the import commits.

The import enqueues `tasks.pictures_fetch` through the outbox for the products whose pictures await a file. Each
pending picture (a URL, no file, no failure reason) is downloaded over HTTP with a timeout and a size cap, checked
with the admin upload's rules (images.upload_check: 10 MB, 40 megapixels, JPEG/PNG/WebP), stored under MEDIA_ROOT
with a thumbnail, and the product's cached pages are invalidated. A picture that cannot be had keeps no file (the
pages leave it out) and gets a reason in `fetch_error`; it is not tried again, and the product's other pictures are
unaffected. A picture with a file is never fetched again; a re-import with the same URL keeps it (yml_import.py).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import time
from collections.abc import Iterable
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit

import requests
import requests.adapters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_noop

from .images import UPLOAD_MAX_BYTES, thumbnail_make, upload_check
from .models import ProductImage
from .services import catalog_changed

logger = logging.getLogger(__name__)

TIMEOUT = (5, 20)  # connect, read (seconds between bytes)
DEADLINE = 60.0  # seconds for a whole download, however slowly the server trickles
MAX_REDIRECTS = 3
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
USER_AGENT = "storefront-catalog-import/1"


class PictureUnavailable(Exception):
    """The picture cannot be had; `transient`: the server or the network may answer later.

    The reason is a message (a Russian msgid marked for translation) with its values, or a callable that renders it
    in the active language: it is stored in every language of the site (`reasons_by_language`), so staff read it in
    theirs."""

    def __init__(self, message, params: dict | None = None, *, transient: bool = False) -> None:
        self.render = message if callable(message) else (lambda: gettext(message) % (params or {}))
        self.transient = transient
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        """In the active language (logs, the worker's default)."""
        return self.render()

    def reasons_by_language(self) -> dict[str, str]:
        texts = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                texts[code] = self.render()
        return texts


def pending_pictures(product_ids: Iterable[int]) -> list[int]:
    """Ids of these products' pictures that have a URL and neither a file nor a failure reason."""
    return list(
        ProductImage.objects.filter(product_id__in=list(product_ids), image="", fetch_error="")
        .exclude(source_url="")
        .order_by("product_id", "position", "pk")
        .values_list("pk", flat=True)
    )


def _host_check(url: str) -> str:
    """The address to fetch `url` from: its host name resolved once, here. A feed names any URL: never fetch our own
    network (loopback, private, link-local such as a cloud's metadata address) unless
    STORE_CATALOG_PICTURES_PRIVATE_HOSTS allows it (tests serve pictures from 127.0.0.1). The download then connects
    to this very address: a name that resolves to a public address now and to 127.0.0.1 a moment later (DNS
    rebinding) cannot slip past the check."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PictureUnavailable(gettext_noop("адрес не http(s): %(url)s"), {"url": url[:100]})
    host = _ascii_host(parts.hostname)
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
    except OSError as exc:
        raise PictureUnavailable(
            gettext_noop("сеть: имя %(host)s не найдено"), {"host": parts.hostname[:60]}, transient=True
        ) from exc
    if not getattr(settings, "STORE_CATALOG_PICTURES_PRIVATE_HOSTS", False):
        for info in infos:
            if not address_is_public(info[4][0]):
                raise PictureUnavailable(
                    gettext_noop("адрес во внутренней сети: %(host)s"), {"host": parts.hostname[:60]}
                )
    return infos[0][4][0]


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def address_is_public(address: str) -> bool:
    """A global address, and for IPv6 forms that carry an IPv4 one (mapped, 6to4, NAT64) that one global too."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if not ip.is_global:
        return False
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not embedded.is_global:
            return False
    return True


def _ascii_host(hostname: str) -> str:
    """The host as DNS, HTTP and TLS want it: an internationalised name (пример.рф) in its xn-- form."""
    try:
        return hostname.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise PictureUnavailable(gettext_noop("адрес не http(s): %(url)s"), {"url": hostname[:100]}) from exc


class _PinnedAdapter(requests.adapters.HTTPAdapter):
    """Connects to the address in the URL (the checked one) while TLS is done for the host name: SNI and the
    certificate checked against the name, not the address."""

    def __init__(self, hostname: str) -> None:
        self.hostname = hostname
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        if host_params.get("scheme") == "https":
            pool_kwargs["server_hostname"] = self.hostname
            pool_kwargs["assert_hostname"] = self.hostname
        return host_params, pool_kwargs


def _get_pinned(url: str, address: str):
    """GET `url` from `address` (not resolving its host again), the Host header and TLS for its own name."""
    parts = urlsplit(url)
    ip = f"[{address}]" if ":" in address else address
    netloc = f"{ip}:{parts.port}" if parts.port else ip
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: it would resolve the name itself
    name = _ascii_host(parts.hostname)
    session.mount(f"{parts.scheme}://", _PinnedAdapter(name))
    host = f"[{name}]" if ":" in name else name  # an IPv6 literal keeps its brackets in Host
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    try:
        return session.get(
            parts._replace(netloc=netloc).geturl(),
            timeout=TIMEOUT,
            stream=True,
            allow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Host": host},
        )
    finally:
        session.close()  # the response keeps its own connection until it is read


def picture_download(url: str) -> bytes:
    """The body at `url`, at most UPLOAD_MAX_BYTES, in at most DEADLINE seconds (raise PictureUnavailable).
    Redirects are followed by hand (at most MAX_REDIRECTS), each target checked like the first address and fetched
    from the address checked."""
    started = time.monotonic()
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            address = _host_check(url)
            with _get_pinned(url, address) as response:
                if response.is_redirect:
                    url = urljoin(url, response.headers.get("Location", ""))
                    continue
                return _body(response, started)
        raise PictureUnavailable(gettext_noop("слишком много переадресаций"))
    except requests.RequestException as exc:
        raise PictureUnavailable(
            gettext_noop("сеть: %(error)s"), {"error": type(exc).__name__}, transient=True
        ) from exc


def _body(response, started: float) -> bytes:
    if response.status_code != 200:
        raise PictureUnavailable("HTTP %(code)d", {"code": response.status_code}, transient=response.status_code >= 500)
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > UPLOAD_MAX_BYTES:
        raise PictureUnavailable(
            gettext_noop("файл больше %(mb)d МБ (%(bytes)s байт)"),
            {"mb": UPLOAD_MAX_BYTES // (1024 * 1024), "bytes": declared},
        )
    body = bytearray()
    for chunk in response.iter_content(64 * 1024):
        body += chunk
        if len(body) > UPLOAD_MAX_BYTES:
            raise PictureUnavailable(gettext_noop("файл больше %(mb)d МБ"), {"mb": UPLOAD_MAX_BYTES // (1024 * 1024)})
        if time.monotonic() - started > DEADLINE:
            raise PictureUnavailable(gettext_noop("загрузка дольше %(s)d с"), {"s": int(DEADLINE)}, transient=True)
    return bytes(body)


def picture_check(url: str, data: bytes) -> SimpleUploadedFile:
    """The bytes as a checked image file (the admin upload's rules), named after the URL and the format."""
    stem = slugify(PurePosixPath(urlsplit(url).path).stem)[:80] or "picture"
    # Named .png only to pass the form field's extension check: the format is judged from the content below.
    upload = SimpleUploadedFile(f"{stem}.png", data)
    try:
        checked = forms.ImageField().clean(upload)
        upload_check(checked)
    except ValidationError as exc:
        refused = exc  # rendered later, once per language: Django's messages translate when read
        raise PictureUnavailable(lambda: "; ".join(str(m) for m in refused.messages)) from exc
    checked.name = f"{stem}.{EXTENSIONS[checked.image.format]}"
    return checked


def picture_failed(picture_id: int, reason: PictureUnavailable) -> None:
    """Record why the picture cannot be had (in every language of the site, ProductImage.fetch_error_text reads it)."""
    stored = json.dumps(reason.reasons_by_language(), ensure_ascii=False)
    if len(stored) > ProductImage._meta.get_field("fetch_error").max_length:
        stored = reason.reasons_by_language()[settings.LANGUAGE_CODE][:255]
    ProductImage.objects.filter(pk=picture_id, image="").update(fetch_error=stored)
    logger.warning("catalog picture not fetched", extra={"picture": picture_id, "reason": reason.reason})


def picture_fetch(picture_id: int) -> str:
    """Fetch one pending picture: "fetched", "skipped" (not pending any more) or raise PictureUnavailable."""
    picture = ProductImage.objects.filter(pk=picture_id).first()
    if picture is None or picture.image or picture.fetch_error or not picture.source_url:
        return "skipped"
    url = picture.source_url
    checked = picture_check(url, picture_download(url))  # outside any transaction: no row is locked meanwhile
    with transaction.atomic(durable=True):
        picture = ProductImage.objects.select_for_update().filter(pk=picture_id, source_url=url, image="").first()
        if picture is None:  # deleted, re-pointed or fetched by a concurrent run meanwhile
            return "skipped"
        picture.image.save(checked.name, ContentFile(checked.read()), save=False)
        thumb = thumbnail_make(picture.image)
        picture.thumbnail.save(thumb.name, thumb, save=False)
        picture.fetch_error = ""
        picture.save(update_fields=["image", "thumbnail", "fetch_error"])
        catalog_changed([picture.product_id])  # cards and listings show the first picture too
    return "fetched"


def pictures_fetch(*, product_ids: Iterable[int], final: bool = True) -> dict[str, int]:
    """Fetch these products' pending pictures. A transient failure (network, 5xx) is left pending unless `final`,
    so the task can retry later; any other failure is recorded at once. Returns counts by outcome ("transient" >0
    means some are still pending)."""
    counts = {"fetched": 0, "skipped": 0, "failed": 0, "transient": 0}
    for picture_id in pending_pictures(product_ids):
        try:
            counts[picture_fetch(picture_id)] += 1
        except PictureUnavailable as exc:
            if exc.transient and not final:
                counts["transient"] += 1
                logger.info("catalog picture: transient failure", extra={"picture": picture_id, "reason": exc.reason})
                continue
            picture_failed(picture_id, exc)
            counts["failed"] += 1
        except Exception as exc:  # a picture Pillow chokes on must not keep the others waiting
            logger.exception("catalog picture: unexpected failure", extra={"picture": picture_id})
            picture_failed(
                picture_id, PictureUnavailable(gettext_noop("ошибка: %(error)s"), {"error": type(exc).__name__})
            )
            counts["failed"] += 1
    return counts
