/*
 * Journey's few page behaviours, as event listeners on the document.
 *
 * The Content-Security-Policy allows no inline script and no eval, so htmx runs
 * with allowEval off: no hx-on attributes and no [filters] in hx-trigger. Pages
 * declare what they need with data attributes instead, and the listeners below
 * (registered once, on the document) also serve content swapped in later.
 *
 *   data-swap-status="409 422"   on a swap target: swap these answers too (they
 *                                carry the form with its messages), not as errors.
 *   data-upload-progress="ID"    on a form: show the upload progress in the
 *                                <progress> with that id (or the form's first one).
 *   data-no-request-with-digits  on an input with its own hx-get: no request while
 *                                the text contains a digit (an ID number must
 *                                never end up in a URL).
 */
(function () {
  "use strict";

  function closestWith(node, attribute) {
    return node && node.closest ? node.closest("[" + attribute + "]") : null;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var area = closestWith(event.target, "data-swap-status");
    if (!area || !event.detail.xhr) return;
    var statuses = area.getAttribute("data-swap-status").split(/\s+/);
    if (statuses.indexOf(String(event.detail.xhr.status)) !== -1) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = closestWith(event.target, "data-upload-progress");
    if (!form || !event.detail.total) return;
    var id = form.getAttribute("data-upload-progress");
    var bar = id ? document.getElementById(id) : form.querySelector("progress");
    if (bar) {
      bar.value = Math.round((100 * event.detail.loaded) / event.detail.total);
    }
  });

  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-no-request-with-digits")
        && /[0-9]/.test(elt.value || "")) {
      event.preventDefault();
    }
  });
})();
