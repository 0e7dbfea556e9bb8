// A generated file's page: poll its status while it builds, show the progress, reload once it
// is done. Without JavaScript a meta refresh in <noscript> reloads the page instead.
(function () {
  "use strict";
  var box = document.querySelector("[data-poll]");
  if (!box) return;
  var url = box.getAttribute("data-poll");
  var bar = box.querySelector("[data-testid=progress]");
  var text = box.querySelector("[data-testid=progress-text]");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.finished) { window.location.reload(); return; }
        if (bar) { bar.value = s.percent; bar.textContent = s.percent + "%"; }
        if (text && s.total) { text.textContent = s.done + " / " + s.total; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
