// "Kopiera adressen": copies a feed's address from its read-only field and says so politely.
// Without this file the button stays hidden (it carries `hidden`) and the address can still be
// selected and copied by hand; with it, the button shows, and its status region reads "Kopierad".
(function () {
  "use strict";

  function copyText(field) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(field.value);
    }
    // Older browsers, or a page served over plain http from another host: select and copy.
    return new Promise(function (resolve, reject) {
      field.focus();
      field.select();
      var copied = false;
      try {
        copied = document.execCommand("copy");
      } catch (error) {
        copied = false;
      }
      if (copied) {
        resolve();
      } else {
        reject(new Error("copy refused"));
      }
    });
  }

  function bind(button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-status"));
    if (!field || !status || button.hasAttribute("data-bound")) {
      return;
    }
    button.setAttribute("data-bound", "");
    button.hidden = false;
    // One click in the field selects the whole address, ready for Ctrl+C.
    field.addEventListener("focus", function () {
      field.select();
    });
    button.addEventListener("click", function () {
      status.textContent = "";
      copyText(field).then(
        function () {
          status.textContent = button.getAttribute("data-copied");
        },
        function () {
          // Could not copy: leave the address selected so the visitor can copy it themselves.
          field.focus();
          field.select();
        }
      );
    });
  }

  var buttons = document.querySelectorAll("button[data-copy]");
  for (var i = 0; i < buttons.length; i += 1) {
    bind(buttons[i]);
  }
})();
