// Behaviour shared by every page, bound through data attributes so that pages need no inline script or handler
// (the Content-Security-Policy allows neither).
(function () {
  "use strict";

  // <form data-confirm="确定删除…？">: ask before submitting.
  document.addEventListener("submit", function (e) {
    const form = e.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) e.preventDefault();
  }, true);

  document.addEventListener("change", function (e) {
    const el = e.target;
    // <select data-autosubmit>: submit the form as soon as a choice is made.
    if (el.dataset && "autosubmit" in el.dataset && el.form) el.form.submit();
    // <input type=checkbox data-toggle-class="hide-removed" data-toggle-target="doc-text">: the class is on while
    // the box is unchecked.
    // <input type=checkbox data-check-all="ids">: tick or untick every checkbox named "ids" in the same form.
    if (el.dataset && el.dataset.checkAll && el.form) {
      el.form.querySelectorAll('input[type=checkbox][name="' + el.dataset.checkAll + '"]').forEach(function (box) {
        box.checked = el.checked;
      });
    }
    if (el.dataset && el.dataset.toggleClass) {
      const target = document.getElementById(el.dataset.toggleTarget);
      if (target) target.classList.toggle(el.dataset.toggleClass, !el.checked);
    }
  });

  // <button data-copy-from="id">: copy that element's value to the clipboard.
  document.addEventListener("click", function (e) {
    const button = e.target.closest && e.target.closest("[data-copy-from]");
    if (!button) return;
    const source = document.getElementById(button.dataset.copyFrom);
    if (source && navigator.clipboard) navigator.clipboard.writeText(source.value);
  });

  // Data-entry grid: Enter moves to the next cell like Tab (saving happens on the input's change event as focus
  // leaves it).
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !e.target.classList || !e.target.classList.contains("cell-input")) return;
    e.preventDefault();
    const inputs = Array.from(document.querySelectorAll(".cell-input:not([readonly])"));
    const next = inputs[inputs.indexOf(e.target) + (e.shiftKey ? -1 : 1)];
    if (next) { next.focus(); next.select(); } else { e.target.blur(); }
  });

  document.addEventListener("htmx:afterSwap", function (e) {
    // Grid: after a cell is swapped in, keep the keyboard where the user is and focus an explanation box that
    // appeared.
    const box = e.target.querySelector && e.target.querySelector("textarea[name=explanation]");
    if (box && document.querySelector(".cell-input") && !document.activeElement.classList.contains("cell-input")) {
      box.focus();
    }
    // Old report review: mark the fact whose panel was loaded.
    if (e.detail.target && e.detail.target.id === "fact-panel") {
      document.querySelectorAll(".doc-text .fact.active").forEach(function (el) { el.classList.remove("active"); });
      const id = e.detail.requestConfig.path.match(/facts\/(\d+)/);
      if (id) { const el = document.getElementById("f-" + id[1]); if (el) el.classList.add("active"); }
      if (window.innerWidth < 992) e.detail.target.scrollIntoView({behavior: "smooth"});
    }
  });
})();
