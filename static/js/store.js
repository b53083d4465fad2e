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
