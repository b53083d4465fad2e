// Small progressive enhancements; every page works without them.
document.addEventListener("htmx:responseError", function (evt) {
  var box = document.getElementById("htmx-error");
  if (!box) {
    box = document.createElement("div");
    box.id = "htmx-error";
    box.className = "toast";
    document.body.appendChild(box);
  }
  // The text comes translated from the page (base.html), in the shopper's language.
  box.textContent = document.body.dataset.loadError || "Не удалось загрузить. Проверьте соединение и попробуйте ещё раз.";
  setTimeout(function () { box.remove(); }, 5000);
});

// Checkout, delivery step: the summary shows the cost and total of the method the shopper ticks (each is in the
// page, the others hidden); a CSS rule hides "выберите способ" once one shows.
document.addEventListener("change", function (evt) {
  var radio = evt.target;
  if (!radio.matches || !radio.matches("input[name=delivery_method]")) { return; }
  document.querySelectorAll(".checkout-summary [data-delivery-method]").forEach(function (el) {
    el.hidden = el.dataset.deliveryMethod !== radio.value;
  });
});
