// G4 Hub dashboard: progressive enhancement only; every page works without this file.
// 1. A submitted form's button is disabled and shows its data-loading-text (no double submits).
// 2. While a store syncs, its status is polled about once a second and the progress updated;
//    when the sync ends the page reloads, so the new products and history appear.
(function () {
  "use strict";

  function onSubmit(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
    var button = event.submitter || form.querySelector("button[type=submit], button:not([type])");
    if (!button || button.disabled) return;
    var loading = button.getAttribute("data-loading-text");
    // Disabled after this turn: a button disabled now would not be submitted with the form.
    window.setTimeout(function () {
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      if (loading) {
        button.setAttribute("data-idle-text", button.textContent);
        button.textContent = loading;
      }
    }, 0);
  }

  // Coming back with the browser's back button restores a page from its cache as it was left.
  function resetButtons() {
    document.querySelectorAll("button[aria-busy=true]").forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("aria-busy");
      var idle = button.getAttribute("data-idle-text");
      if (idle) button.textContent = idle;
    });
  }

  function render(box, state) {
    var text = box.querySelector(".sync-text");
    if (text) text.textContent = state.text;
    var detail = box.querySelector(".sync-detail");
    if (detail) detail.textContent = state.detail || "";
    var bar = box.querySelector("progress");
    if (bar && state.total) {
      bar.max = state.total;
      bar.value = state.fetched;
      bar.textContent = state.fetched + " of " + state.total;
    }
  }

  function poll(box) {
    var url = box.getAttribute("data-poll-url");
    var failures = 0;
    function tick() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          var type = response.headers.get("content-type") || "";
          if (!response.ok || type.indexOf("application/json") === -1) throw new Error("status " + response.status);
          return response.json();
        })
        .then(function (state) {
          failures = 0;
          render(box, state);
          if (state.active) {
            window.setTimeout(tick, 1000);
          } else {
            window.location.reload();
          }
        })
        .catch(function () {
          // Signed out, or the hub restarting: a reload shows which (the sign-in page or the store).
          failures += 1;
          if (failures >= 3) window.location.reload();
          else window.setTimeout(tick, 2000);
        });
    }
    window.setTimeout(tick, 1000);
  }

  // A product image the store no longer serves becomes the same placeholder as no image.
  function onImageError(event) {
    var image = event.target;
    if (!(image instanceof HTMLImageElement) || !image.closest("table")) return;
    var placeholder = document.createElement("span");
    placeholder.className = "no-image";
    placeholder.setAttribute("aria-label", "No image");
    placeholder.textContent = "—";
    image.replaceWith(placeholder);
  }

  document.addEventListener("submit", onSubmit);
  document.addEventListener("error", onImageError, true);
  window.addEventListener("pageshow", resetButtons);
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-poll-url][data-active=true]").forEach(poll);
  });
})();
