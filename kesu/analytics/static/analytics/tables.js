// Statistical tables: fold the lower levels of a region table (long tables start folded below the first level),
// and bring a source link's figure into view.
(function () {
  "use strict";
  const FOLD_FROM_ROWS = 40;

  function setUp(table) {
    const rows = Array.from(table.tBodies[0].rows);
    const children = new Map();
    rows.forEach((row) => {
      const parent = row.dataset.parent;
      if (parent) {
        if (!children.has(parent)) children.set(parent, []);
        children.get(parent).push(row);
      }
    });
    const show = (row, open) => {
      const button = row.querySelector(".pivot-toggle");
      if (button) button.setAttribute("aria-expanded", String(open));
      (children.get(row.dataset.key) || []).forEach((child) => {
        child.classList.toggle("folded", !open);
        if (!open) show(child, false);
      });
    };
    rows.forEach((row) => {
      const button = row.querySelector(".pivot-toggle");
      if (button) button.addEventListener("click", () => show(row, button.getAttribute("aria-expanded") !== "true"));
    });
    const foldable = rows.filter((row) => Number(row.dataset.level) === 1 && children.has(row.dataset.key));
    const all = (open) => foldable.forEach((row) => show(row, open));
    document.querySelectorAll(`[data-fold-all="${table.id}"]`).forEach((b) => b.addEventListener("click", () => all(false)));
    document.querySelectorAll(`[data-unfold-all="${table.id}"]`).forEach((b) => b.addEventListener("click", () => all(true)));
    all(rows.length < FOLD_FROM_ROWS);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("table[data-foldable]").forEach(setUp);
    const figure = document.getElementById("figure");
    if (figure) figure.scrollIntoView({ block: "center", inline: "center" });
  });
})();
