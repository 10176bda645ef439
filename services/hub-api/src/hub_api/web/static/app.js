// G4 Hub dashboard: progressive enhancement only; every page works without this file.
// 1. A submitted form's button is disabled and shows its data-loading-text (no double submits).
// 2. While a store syncs, its status is polled about once a second and the progress updated;
//    when the sync ends the page reloads, so the new products and history appear.
// 3. Times are shown in the reader's time zone; the page's UTC text stays in the tooltip.
// 4. The catalog's selects (sort, filters, page size) apply as soon as one changes.
// 5. While a store syncs, the overview refreshes its numbers every two seconds.
// 6. The new rule form shows the settings of the kind of rule chosen only, and the source store
//    cannot also be ticked as a store to keep in step.
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
    if (!(image instanceof HTMLImageElement) || !image.closest("table, .gallery")) return;
    var placeholder = document.createElement("span");
    placeholder.className = "no-image";
    placeholder.setAttribute("aria-label", "No image");
    placeholder.textContent = "—";
    image.replaceWith(placeholder);
  }

  var LOCAL = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
    timeZoneName: "short"
  });

  function localizeTimes(root) {
    root.querySelectorAll("time[data-local]").forEach(function (node) {
      var moment = new Date(node.getAttribute("datetime"));
      if (isNaN(moment.getTime())) return;
      if (!node.title) node.title = node.textContent;
      node.textContent = LOCAL.format(moment);
      node.removeAttribute("data-local");
    });
  }

  function onChange(event) {
    var ruleForm = event.target.closest && event.target.closest("form[data-rule-form]");
    if (ruleForm) fitRuleForm(ruleForm);
    var select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.hasAttribute("data-autosubmit")) return;
    if (select.form) select.form.requestSubmit();
  }

  function fitRuleForm(form) {
    var kind = form.querySelector("input[name=kind]:checked");
    form.querySelectorAll("fieldset[data-kind]").forEach(function (fieldset) {
      fieldset.hidden = !!kind && fieldset.getAttribute("data-kind") !== kind.value;
    });
    var source = form.querySelector("select[name=source_store_id]");
    form.querySelectorAll("input[data-store]").forEach(function (box) {
      var isSource = !!source && box.getAttribute("data-store") === source.value;
      if (isSource) box.checked = false;
      box.disabled = isSource;
    });
  }

  // The overview's live part is fetched again and swapped in while any store syncs.
  function refreshOverview(live) {
    var failures = 0;
    function tick() {
      fetch(window.location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("status " + response.status);
          return response.text();
        })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live");
          if (!fresh) throw new Error("signed out");
          failures = 0;
          live.innerHTML = fresh.innerHTML;
          localizeTimes(live);
          if (fresh.getAttribute("data-refresh") === "true") window.setTimeout(tick, 2000);
        })
        .catch(function () {
          failures += 1;
          if (failures >= 3) window.location.reload();
          else window.setTimeout(tick, 3000);
        });
    }
    window.setTimeout(tick, 2000);
  }

  document.addEventListener("submit", onSubmit);
  document.addEventListener("change", onChange);
  document.addEventListener("error", onImageError, true);
  window.addEventListener("pageshow", resetButtons);
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-poll-url][data-active=true]").forEach(poll);
    localizeTimes(document);
    document.querySelectorAll("form[data-rule-form]").forEach(fitRuleForm);
    var live = document.querySelector("#live[data-refresh=true]");
    if (live) refreshOverview(live);
  });
})();
