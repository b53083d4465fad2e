// Search suggestions: arrow keys move between the input and the suggestion links, Escape closes the list.
// The links are ordinary links (Tab reaches them too); without JavaScript the search form still submits.
(function () {
  function box() { return document.getElementById("suggestions"); }
  function links() { var b = box(); return b ? Array.prototype.slice.call(b.querySelectorAll("a")) : []; }
  function input() { return document.querySelector(".search input[name=q]"); }
  function close() { var b = box(); if (b) { b.innerHTML = ""; } }

  document.addEventListener("keydown", function (evt) {
    var field = input();
    if (!field) { return; }
    var items = links();
    var at = items.indexOf(document.activeElement);
    if (evt.key === "Escape" && (document.activeElement === field || at >= 0)) {
      close();
      field.focus();
    } else if (evt.key === "ArrowDown" && items.length && (document.activeElement === field || at >= 0)) {
      evt.preventDefault();
      items[Math.min(at + 1, items.length - 1)].focus();
    } else if (evt.key === "ArrowUp" && at >= 0) {
      evt.preventDefault();
      if (at === 0) { field.focus(); } else { items[at - 1].focus(); }
    }
  });

  document.addEventListener("click", function (evt) {
    var form = document.querySelector("form.search");
    if (form && !form.contains(evt.target)) { close(); }
  });
})();
