// Live parts of a console page arrive by htmx polling (hx-swap-oob, each part by its id). A part a person is typing
// in is left alone; the page's version is then forgotten, so the next poll brings that part again.
(function () {
  'use strict';
  var skipped = false;
  function editing(part) {
    var active = document.activeElement;
    if (active && part.contains(active) && active.matches('input, textarea, select, button')) {
      return true;
    }
    return Array.prototype.some.call(part.querySelectorAll('input[type=text], textarea, input[type=checkbox]'),
      function (field) { return field.type === 'checkbox' ? field.checked : field.value !== ''; });
  }
  document.addEventListener('htmx:oobBeforeSwap', function (event) {
    var target = event.detail.target;
    if (target.id === 'live-version') {
      if (skipped) {
        event.detail.shouldSwap = false;
        target.value = 'stale';
        skipped = false;
      }
    } else if (editing(target)) {
      event.detail.shouldSwap = false;
      skipped = true;
    }
  });
})();
