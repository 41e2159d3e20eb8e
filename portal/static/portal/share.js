/* « Copier le lien » and « Imprimer » on listings and territory pages. The buttons are
   rendered hidden: without JavaScript the address bar and the browser's print stay the way. */
(function () {
  "use strict";
  document.querySelectorAll("[data-portal-copy-link]").forEach(function (button) {
    var status = button.parentNode.querySelector("[data-portal-copy-status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      var say = function (text) { if (status) { status.textContent = text; } };
      if (!navigator.clipboard) {
        say(button.dataset.failed || "");
        return;
      }
      navigator.clipboard.writeText(window.location.href).then(
        function () { say(button.dataset.copied || ""); },
        function () { say(button.dataset.failed || ""); });
    });
  });
  document.querySelectorAll("[data-portal-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
