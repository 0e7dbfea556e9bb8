// The journal grid and lesson page from the keyboard: Enter or ↓ moves to the next student's
// mark, ↑ to the previous one; → at the end of a mark goes to that student's attendance, ← on
// the attendance back to the mark (Tab walks mark, attendance, comment as usual). «н», «б»,
// «у» or «оп» typed as the mark shows at once in the attendance list (the server reads the
// typed code the same way). Without this file the forms work the same (Enter submits).
(function () {
  "use strict";
  var TYPED = { "н": "absent", "б": "ill", "у": "excused", "оп": "late" };
  function inputs() {
    return Array.prototype.slice.call(document.querySelectorAll("input.mark-input"));
  }
  function cellOf(element) {
    return element.closest("td, tr");
  }
  function moveTo(event, next) {
    if (next) {
      event.preventDefault();
      next.focus();
      if (next.select && next.tagName === "INPUT") {
        next.select();
      }
    }
  }
  function onMark(event, target) {
    var list = inputs();
    var index = list.indexOf(target);
    var atEnd = target.selectionEnd === target.value.length;
    if (event.key === "Enter" || event.key === "ArrowDown") {
      var next = list[index + 1];
      if (!next && event.key === "Enter") {
        return; // Enter on the last student submits the column.
      }
      moveTo(event, next);
      if (!next) {
        event.preventDefault();
      }
    } else if (event.key === "ArrowUp") {
      moveTo(event, list[index - 1]);
      event.preventDefault();
    } else if (event.key === "ArrowRight" && atEnd) {
      moveTo(event, cellOf(target).querySelector("select.att-select"));
    }
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target.classList) {
      return;
    }
    if (target.classList.contains("mark-input")) {
      onMark(event, target);
    } else if (target.classList.contains("att-select") && event.key === "ArrowLeft") {
      moveTo(event, cellOf(target).querySelector("input.mark-input"));
    }
  });
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (!target.classList || !target.classList.contains("mark-input")) {
      return;
    }
    var code = TYPED[target.value.toLowerCase()];
    var select = code && cellOf(target).querySelector("select.att-select");
    if (select) {
      select.value = code;
    }
  });
})();

// On a narrow screen the grid opens scrolled to the column being filled (usually the latest
// lesson, far to the right), not to the first lesson of the period.
(function () {
  "use strict";
  var editing = document.querySelector(".journal-grid thead .is-editing");
  var wrap = editing && editing.closest(".table-wrap");
  if (!wrap || wrap.scrollWidth <= wrap.clientWidth) {
    return;
  }
  var sticky = document.querySelector(".journal-grid thead .journal-grid__student");
  var left = editing.offsetLeft - (sticky ? sticky.offsetWidth : 0);
  wrap.scrollLeft = Math.max(0, left - 8);
})();
