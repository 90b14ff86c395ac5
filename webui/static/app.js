// Progressive enhancement only: every feature here also works without JavaScript.
(function () {
  "use strict";

  // Re-run the search as soon as the sort order or page size changes.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) {
        select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit();
      }
    });
  });

  // Leave out empty and default fields so the address stays short and bookmarkable
  // (the server would redirect to the same clean address anyway).
  document.querySelectorAll("form.search-form").forEach(function (form) {
    form.addEventListener("submit", function () {
      var defaults = { sort: "relevance", per_page: "20" };
      Array.prototype.forEach.call(form.elements, function (field) {
        if (!field.name) return;
        var value = (field.value || "").trim();
        if (value === "" || defaults[field.name] === value) field.disabled = true;
      });
      // Re-enable after the navigation starts, for the back/forward cache.
      setTimeout(function () {
        Array.prototype.forEach.call(form.elements, function (field) { field.disabled = false; });
      }, 0);
    });
  });

  // "Back to search" returns to the exact results page the reader came from.
  document.querySelectorAll("a[data-back]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      try {
        var from = new URL(document.referrer);
        if (from.origin === location.origin && /^\/(search)?$/.test(from.pathname) &&
            history.length > 1) {
          event.preventDefault();
          history.back();
        }
      } catch (e) { /* no usable referrer: follow the link */ }
    });
  });
})();
