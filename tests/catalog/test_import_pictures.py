"""Feed pictures fetched after import_catalog commits (catalog/pictures.py), from a local HTTP server (no internet)."""

import contextlib
import io
import socket
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from celery.exceptions import Retry
from django.utils import translation
from PIL import Image

from storefront.catalog.images import UPLOAD_MAX_BYTES
from storefront.catalog.models import Product, ProductImage
from storefront.catalog.pictures import address_is_public
from storefront.catalog.tasks import PICTURES_FETCH_RETRIES, pictures_fetch
from storefront.outbox.models import OutboxJob
from tests.catalog.test_import import offer, run, write_feed
from tests.outbox.inline import run_outbox_jobs

pytestmark = pytest.mark.django_db


def _png(size, mode="RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, "red" if mode == "RGB" else 1).save(buf, "PNG")
    return buf.getvalue()


PNG = _png((40, 30))
HUGE = _png((8000, 5001), mode="1")  # a small file of 40 000 000+ pixels
BODIES = {
    "/img/phone.png": ("image/png", PNG),
    "/img/case.png": ("image/png", PNG),
    "/img/page.png": ("text/html", b"<html><body>not a picture</body></html>"),
    "/img/huge.png": ("image/png", HUGE),
    "/img/big.png": ("image/png", PNG + b"\0" * UPLOAD_MAX_BYTES),
}


@pytest.fixture
def server():
    hits = Counter()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits[self.path] += 1
            if self.path == "/img/busy.png":
                self.send_error(503)
                return
            if self.path == "/img/moved.png":
                self.send_response(302)
                self.send_header("Location", "/img/phone.png")
                self.end_headers()
                return
            if self.path not in BODIES:
                self.send_error(404)
                return
            kind, body = BODIES[self.path]
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client stopped reading a big file
                self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.hits = hits
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORE_CATALOG_PICTURES_PRIVATE_HOSTS = True  # the test server is on 127.0.0.1
    return settings.MEDIA_ROOT


def pictures_tag(base, *names):
    return "".join(f"<picture>{base}/img/{n}</picture>" for n in names)


def test_pictures_are_fetched_after_the_import_and_failures_are_recorded(
    server, media, tmp_path, client, django_capture_on_commit_callbacks
):
    names = ["phone.png", "missing.png", "page.png", "huge.png", "big.png"]
    path = write_feed(tmp_path, offer("A1", extra=pictures_tag(server.base, *names)))
    run(path)
    product = Product.objects.get(external_id="A1")
    page = client.get(product.get_absolute_url())
    assert page.status_code == 200 and 'id="gallery-main"' not in page.content.decode()  # placeholder, cached
    assert OutboxJob.objects.filter(task="storefront.catalog.tasks.pictures_fetch", queue="partners").count() == 1

    with django_capture_on_commit_callbacks() as after_commit:
        run_outbox_jobs()

    pictures = list(ProductImage.objects.filter(product=product).order_by("position"))
    fetched = pictures[0]
    assert fetched.image and fetched.thumbnail and fetched.fetch_error == ""
    assert Path(fetched.image.path).is_relative_to(media) and Path(fetched.image.path).read_bytes() == PNG
    with Image.open(fetched.thumbnail.path) as thumb:
        assert thumb.format == "JPEG"
    reasons = {p.source_url.rsplit("/", 1)[1]: p.fetch_error_text for p in pictures[1:]}
    assert not any(p.image for p in pictures[1:])
    assert reasons["missing.png"] == "HTTP 404"
    assert "не является изображением" in reasons["page.png"]
    assert "мегапикселей" in reasons["huge.png"]
    assert "больше 10 МБ" in reasons["big.png"]

    html = client.get(product.get_absolute_url()).content.decode()
    assert 'id="gallery-main"' not in html  # the page cached before, until the fetch's transaction commits
    for callback in after_commit:
        callback()
    html = client.get(product.get_absolute_url()).content.decode()
    assert f'id="gallery-main" src="{fetched.image.url}"' in html

    assert run_outbox_jobs() == 0
    pictures_fetch.apply(kwargs={"product_ids": [product.pk]}, throw=True)  # a job delivered again: nothing to do
    assert all(server.hits[f"/img/{n}"] == 1 for n in names)


def test_a_reimport_keeps_fetched_pictures_and_fetches_only_new_ones(server, media, tmp_path):
    path = write_feed(tmp_path, offer("A1", extra=pictures_tag(server.base, "phone.png", "missing.png")))
    run(path)
    run_outbox_jobs()
    before = ProductImage.objects.get(source_url__endswith="/phone.png").image.name

    run(path)  # the same pictures: nothing to fetch
    assert run_outbox_jobs() == 0
    path = write_feed(tmp_path, offer("A1", extra=pictures_tag(server.base, "case.png", "phone.png", "missing.png")))
    run(path)  # a picture added in front: the rows are rewritten, the fetched file and the failure kept
    run_outbox_jobs()

    by_name = {p.source_url.rsplit("/", 1)[1]: p for p in ProductImage.objects.all()}
    assert [p.source_url.rsplit("/", 1)[1] for p in ProductImage.objects.order_by("position")] == [
        "case.png",
        "phone.png",
        "missing.png",
    ]
    assert by_name["phone.png"].image.name == before and by_name["phone.png"].thumbnail
    assert by_name["case.png"].image and by_name["missing.png"].fetch_error_text == "HTTP 404"
    assert server.hits == Counter({"/img/phone.png": 1, "/img/missing.png": 1, "/img/case.png": 1})


def test_one_offers_bad_pictures_leave_the_others_fetched(server, media, tmp_path):
    path = write_feed(
        tmp_path,
        offer("A1", extra=pictures_tag(server.base, "page.png")),
        offer("A2", name="Чехол Тест", extra=pictures_tag(server.base, "case.png")),
    )
    run(path)
    run_outbox_jobs()
    a1, a2 = (ProductImage.objects.get(product__external_id=k) for k in ("A1", "A2"))
    assert not a1.image and a1.fetch_error
    assert a2.image and not a2.fetch_error


def test_a_server_error_is_retried_a_few_times_then_recorded(server, media, tmp_path):
    run(write_feed(tmp_path, offer("A1", extra=pictures_tag(server.base, "busy.png", "phone.png"))))
    with pytest.raises(Retry):  # the worker would run it again 30 s later
        run_outbox_jobs()
    busy, phone = ProductImage.objects.order_by("position")
    assert phone.image and not busy.image and busy.fetch_error == ""  # still pending
    kwargs = {"product_ids": [busy.product_id]}
    for retries in range(1, PICTURES_FETCH_RETRIES):
        with pytest.raises(Retry):
            pictures_fetch.apply(kwargs=kwargs, retries=retries, throw=True)
    pictures_fetch.apply(kwargs=kwargs, retries=PICTURES_FETCH_RETRIES, throw=True)  # the last try records it
    busy.refresh_from_db()
    assert not busy.image and busy.fetch_error_text == "HTTP 503"
    assert server.hits["/img/busy.png"] == 1 + PICTURES_FETCH_RETRIES
    assert server.hits["/img/phone.png"] == 1


def test_a_picture_on_our_own_network_is_never_fetched(server, media, settings, tmp_path):
    settings.STORE_CATALOG_PICTURES_PRIVATE_HOSTS = False  # as in production: loopback, private, link-local refused
    run(write_feed(tmp_path, offer("A1", extra=pictures_tag(server.base, "phone.png"))))
    run_outbox_jobs()

    picture = ProductImage.objects.get(product__external_id="A1")
    assert not picture.image and "внутренней сети" in picture.fetch_error_text
    assert server.hits["/img/phone.png"] == 0


def test_a_redirect_is_followed_to_the_picture(server, media, tmp_path):
    run(write_feed(tmp_path, offer("A1", extra=pictures_tag(server.base, "moved.png"))))
    run_outbox_jobs()

    picture = ProductImage.objects.get(product__external_id="A1")
    assert picture.image and picture.fetch_error == ""
    assert (server.hits["/img/moved.png"], server.hits["/img/phone.png"]) == (1, 1)


def test_the_download_goes_to_the_address_that_was_checked_not_to_a_new_answer(server, media, tmp_path, monkeypatch):
    """DNS rebinding: the name resolves to an allowed address for the check and to another one a moment later. The
    download must connect to the checked address and not ask the resolver again."""
    real = socket.getaddrinfo
    answers = []

    def resolver(host, port, *args, **kwargs):
        if host != "pictures.example":
            return real(host, port, *args, **kwargs)
        answers.append(host)
        first = len(answers) == 1  # a second question gets an address that was never checked
        return real("127.0.0.1" if first else "10.255.255.1", port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    base = server.base.replace("127.0.0.1", "pictures.example")
    run(write_feed(tmp_path, offer("A1", extra=pictures_tag(base, "phone.png"))))
    run_outbox_jobs()

    picture = ProductImage.objects.get(product__external_id="A1")
    assert picture.image and picture.fetch_error == ""
    assert answers == ["pictures.example"]
    assert server.hits["/img/phone.png"] == 1


def test_the_reason_a_picture_is_missing_is_kept_in_each_language(server, media, settings, tmp_path):
    settings.STORE_CATALOG_PICTURES_PRIVATE_HOSTS = False
    run(write_feed(tmp_path, offer("A1", extra=pictures_tag(server.base, "phone.png"))))
    run_outbox_jobs()

    picture = ProductImage.objects.get(product__external_id="A1")
    with translation.override("en"):
        assert picture.fetch_error_text == "address on an internal network: 127.0.0.1"
    with translation.override("ru"):
        assert picture.fetch_error_text == "адрес во внутренней сети: 127.0.0.1"


def test_a_file_that_is_no_picture_is_explained_in_each_language(server, media, tmp_path):
    run(write_feed(tmp_path, offer("A1", extra=pictures_tag(server.base, "page.png"))))
    run_outbox_jobs()

    picture = ProductImage.objects.get(product__external_id="A1")
    with translation.override("en"):
        assert "not an image" in picture.fetch_error_text
    with translation.override("ru"):
        assert "не является изображением" in picture.fetch_error_text


def test_a_picture_on_an_internationalised_domain_is_fetched(server, media, tmp_path, monkeypatch):
    real = socket.getaddrinfo
    asked = []

    def resolver(host, port, *args, **kwargs):
        if host == "xn--e1afmkfd.xn--p1ai":  # пример.рф as DNS knows it
            asked.append(host)
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    base = server.base.replace("127.0.0.1", "пример.рф")
    run(write_feed(tmp_path, offer("A1", extra=pictures_tag(base, "phone.png"))))
    run_outbox_jobs()

    picture = ProductImage.objects.get(product__external_id="A1")
    assert picture.image and picture.fetch_error == ""
    assert asked == ["xn--e1afmkfd.xn--p1ai"]


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("169.254.169.254", False),
        ("::1", False),
        ("::ffff:10.0.0.1", False),  # IPv4-mapped
        ("2002:0a00:0001::1", False),  # 6to4 of 10.0.0.1
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 of 169.254.169.254
        ("64:ff9b::5db8:d822", True),  # NAT64 of 93.184.216.34
    ],
)
def test_which_addresses_count_as_outside_our_network(address, public):
    assert address_is_public(address) is public
