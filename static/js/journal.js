// The journal grid and lesson page: Enter or ↓ moves to the next student's mark, ↑ to the
// previous one. Without this file the forms work the same (Enter submits the column).
(function () {
  "use strict";
  function inputs() {
    return Array.prototype.slice.call(document.querySelectorAll("input.mark-input"));
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target.classList || !target.classList.contains("mark-input")) {
      return;
    }
    var list = inputs();
    var index = list.indexOf(target);
    var next = null;
    if (event.key === "Enter" || event.key === "ArrowDown") {
      next = list[index + 1];
      if (!next && event.key === "Enter") {
        return; // Enter on the last student submits the column.
      }
    } else if (event.key === "ArrowUp") {
      next = list[index - 1];
    }
    if (next) {
      event.preventDefault();
      next.focus();
      next.select();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
    }
  });
})();

// On a narrow screen the grid opens scrolled to the column being filled (usually the latest
// lesson, far to the right), not to the first lesson of the period.
(function () {
  "use strict";
  var editing = document.querySelector(".journal-grid .is-editing");
  var wrap = editing && editing.closest(".table-wrap");
  if (!wrap || wrap.scrollWidth <= wrap.clientWidth) {
    return;
  }
  var sticky = document.querySelector(".journal-grid thead .journal-grid__student");
  var left = editing.offsetLeft - (sticky ? sticky.offsetWidth : 0);
  wrap.scrollLeft = Math.max(0, left - 8);
})();
