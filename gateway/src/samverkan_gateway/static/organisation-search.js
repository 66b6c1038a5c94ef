// Search as you type in the organisation directory (/organisationer).
// The form works without this file: it is a plain GET form. With it, the results below the form are
// fetched from /organisationer/traffar (the same query, rendered by the server) a moment after the
// visitor stops typing, and the number found is announced through the page's status region.
(function () {
  "use strict";

  var DELAY_MS = 300;
  var form = document.querySelector("form[data-live-search]");
  var results = document.getElementById("results");
  var status = document.getElementById("search-status");
  if (!form || !results || !status || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var timer = null;
  var running = null;
  var lastQuery = currentQuery();

  function currentQuery() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (String(value).trim() !== "") {
        params.append(name, String(value).trim());
      }
    });
    return params.toString();
  }

  function show(html, query) {
    results.innerHTML = html; // rendered and escaped by the server, from our own origin
    var heading = results.querySelector("h2");
    var problems = results.querySelector(".error-summary");
    status.textContent = problems ? problems.textContent.replace(/\s+/g, " ").trim() : heading ? heading.textContent : "";
    // The address follows the search, so reloading, bookmarking or going back gives the same list.
    window.history.replaceState(null, "", form.getAttribute("action") + (query ? "?" + query : ""));
  }

  function search() {
    var query = currentQuery();
    if (query === lastQuery) {
      return;
    }
    lastQuery = query;
    if (running && window.AbortController) {
      running.abort();
    }
    running = window.AbortController ? new AbortController() : null;
    var url = form.getAttribute("data-live-search") + (query ? "?" + query : "");
    window
      .fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin", signal: running ? running.signal : undefined })
      .then(function (response) {
        // 400 carries the explanation of a bad filter; anything else leaves the list as it was.
        if (!response.ok && response.status !== 400) {
          throw new Error("search failed: " + response.status);
        }
        return response.text().then(function (html) {
          show(html, query);
        });
      })
      .catch(function (error) {
        // Aborted by a newer search: that one shows its results. Otherwise the button still searches the plain way.
        if (!error || error.name !== "AbortError") {
          lastQuery = null;
        }
      });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, DELAY_MS);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  var hint = form.querySelector(".live-hint");
  if (hint) {
    hint.hidden = false;
  }
})();
