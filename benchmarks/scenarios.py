"""What `make bench` measures. Add a scenario by appending to SCENARIOS.

A scenario is one URL (`path`), or many (`paths`: a callable returning paths, called once per run after
migrate and seeding, with Django set up on benchmarks.settings so it may query the bench database);
wrk then picks a random one per request (wrk/paths.lua). `script` may name any other Lua file in
benchmarks/wrk/ that does `require("bench")` (for the JSON report); `args` go to its init().
For POSTs through CSRF see benchmarks/session.py: `headers=lambda base_url: session_headers(base_url, steps)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from benchmarks.catalog import listing_paths, product_paths, search_paths
from benchmarks.checkout import ANSWERS_LOG, CURSOR, checkout_paths
from benchmarks.tracking import tracking_paths


@dataclass(frozen=True)
class Scenario:
    name: str
    describe: str
    path: str = "/"
    paths: Callable[[], Sequence[str]] | None = None
    script: str = "report.lua"
    args: Sequence[str] = ()
    # Extra request headers, or a callable given the server's base URL that returns them (e.g. a session).
    headers: dict[str, str] | Callable[[str], dict[str, str]] = field(default_factory=dict)


CEILING = Scenario(
    "constant",
    "Django view returning a constant HttpResponse through the full middleware stack: the ceiling",
    path="/bench/constant/",
)

SCENARIOS: list[Scenario] = [
    Scenario("home", "GET / as an anonymous shopper: the home page template and whatever it queries", path="/"),
    # catalog (issue 3): shared pages of a visitor without a session, from the 100,000-product bench database
    Scenario(
        "listing",
        "GET /c/<category>/?… over 3,000 listing URLs: pages, sorts, brand/price/origin/option filters",
        paths=listing_paths,
    ),
    Scenario("product", "GET /p/<slug>/ over 5,000 products spread over the catalog", paths=product_paths),
    Scenario(
        "search",
        "GET /search/?q=… over the 1,200 queries of benchmarks/data/search_queries.txt (forms, typos, layouts, misses)",
        paths=search_paths,
    ),
    Scenario(
        "static",
        "GET /static/css/store.css: a static file served by whitenoise inside the same workers",
        path="/static/css/store.css",
    ),
    # logistics: the parcel tracking page (logistics/postal/views.py), cached per parcel until new events
    Scenario(
        "track",
        "GET /track/<number>/ over up to 1,000 parcels with events (benchmarks/tracking.py makes 200 if none)",
        paths=tracking_paths,
    ),
    # checkout (issue 3): each request places an order from its own prepared guest session (benchmarks/checkout.py);
    # only a redirect to the placed order counts, anything else is an error. Needs wrk -t2 (threads=2 below).
    Scenario(
        "checkout",
        "POST /checkout/ step=place: one order per request, each from its own session and cart of distinct products",
        paths=checkout_paths,
        script="checkout.lua",
        args=("threads=2", f"cursor={CURSOR}", f"log={ANSWERS_LOG}"),
    ),
    # payments: the provider's notification endpoint takes the webhook (allow-list, parse) and queues the work
    Scenario(
        "payments-webhook",
        "POST /payments/webhook/: a payment.succeeded notification from an allow-listed address, queued to Celery",
        path="/payments/webhook/",
        args=(
            "method=POST",
            'body={"type":"notification","event":"payment.succeeded",'
            '"object":{"id":"2f1c8c1e-0000-4000-8000-00000000b0b0","status":"succeeded"}}',
            "content_type=application/json",
        ),
    ),
]
