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

  // The page carries the short placeholder (a phone's box cuts the long one off); a box wide enough for the long
  // one gets it, measured in the box's own font (and again when the window is resized).
  var canvas = document.createElement("canvas");
  function fits(field, text) {
    var style = window.getComputedStyle(field);
    var ctx = canvas.getContext("2d");
    if (!ctx) { return false; }
    ctx.font = style.font || (style.fontSize + " " + style.fontFamily);
    var room = field.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return ctx.measureText(text).width + 24 <= room;  // 24: the search field's clear button
  }
  function placeholder() {
    var field = input();
    if (!field || !field.dataset.placeholderWide) { return; }
    if (!field.dataset.placeholderShort) { field.dataset.placeholderShort = field.placeholder; }
    var wide = field.dataset.placeholderWide;
    field.placeholder = fits(field, wide) ? wide : field.dataset.placeholderShort;
  }
  var pending = false;
  window.addEventListener("resize", function () {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; placeholder(); });
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", placeholder);
  } else {
    placeholder();
  }

  document.addEventListener("click", function (evt) {
    var form = document.querySelector("form.search");
    if (form && !form.contains(evt.target)) { close(); }
  });
})();
