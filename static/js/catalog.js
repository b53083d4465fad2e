// Catalog pages: small enhancements over pages that work without JavaScript.
(function () {
  "use strict";

  // Filters are a collapsed <details> on a phone; open them where there is room for a sidebar.
  function isWide() { return window.matchMedia("(min-width: 900px)").matches; }
  function openWideFilters() {
    if (isWide()) {
      document.querySelectorAll("details[data-open-wide]").forEach(function (el) { el.open = true; });
    }
  }

  // On a phone the open panel stands above the results: "Показать" folds it and brings the results up (htmx
  // swaps them in; without JS the form reloads the page, where the panel starts folded).
  document.addEventListener("submit", function (evt) {
    var details = evt.target.closest && evt.target.closest("details[data-open-wide]");
    if (!details || isWide()) return;
    details.open = false;
    var header = document.querySelector(".site-header");
    var below = header ? header.getBoundingClientRect().bottom : 0;
    var top = details.getBoundingClientRect().top;
    if (top < below || top > window.innerHeight / 2) window.scrollBy(0, top - below - 8);
  });

  // Gallery: a thumbnail is a link to the full picture; with JS it swaps the main picture instead.
  document.addEventListener("click", function (evt) {
    var thumb = evt.target.closest("[data-gallery-thumb]");
    if (!thumb) return;
    var gallery = thumb.closest("[data-gallery]");
    var main = gallery && gallery.querySelector("#gallery-main");
    if (!main) return;
    evt.preventDefault();
    main.src = thumb.getAttribute("href");
    main.alt = thumb.dataset.alt || "";
    gallery.querySelectorAll("[data-gallery-thumb]").forEach(function (el) {
      el.classList.toggle("is-current", el === thumb);
    });
  });

  // Keep filter URLs short: drop empty fields (?min_price=&max_price=) before htmx sends and pushes them.
  document.addEventListener("htmx:configRequest", function (evt) {
    var elt = evt.detail.elt;
    if (evt.detail.verb !== "get" || !elt) return;
    if (!elt.closest("[data-drop-empty]") && elt.getAttribute("form") !== "filter-form") return;
    var params = evt.detail.parameters;
    Object.keys(params).forEach(function (name) {
      if (params[name] === "") delete params[name];
    });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", openWideFilters);
  } else {
    openWideFilters();
  }
})();
