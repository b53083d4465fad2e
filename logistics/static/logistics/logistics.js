// Delivery: the promise block follows the chosen variant (its price decides the duty).
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (evt) {
    var target = evt.detail && evt.detail.target;
    if (target && target.id === "variant-block" && window.htmx) {
      window.htmx.trigger(document.body, "variant-changed");
    }
  });
})();
