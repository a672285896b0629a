/* Quick exit for the public leaflet. Progressive enhancement: without this script the link still leads away.
   With it, leaving hides the page at once and replaces the history entry (Back does not return here), and
   pressing Esc twice leaves too. */
(function () {
  "use strict";
  var link = document.querySelector("a.quick-exit");
  if (!link) {
    return;
  }
  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    document.documentElement.className += " leaving";
    window.location.replace(link.href);
  }
  link.addEventListener("click", leave);
  var lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var now = Date.now();
    if (now - lastEscape < 1500) {
      leave(event);
    }
    lastEscape = now;
  });
  var hint = document.getElementById("quick-exit-hint");
  if (hint) {
    hint.hidden = false;
  }
})();
