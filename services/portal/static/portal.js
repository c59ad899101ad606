// Behaviour of the portal's pages, loaded from a file (the pages carry no inline script).
"use strict";

// "Tick all" boxes tick every box of their table.
document.addEventListener("change", (event) => {
  const box = event.target;
  if (!box.matches || !box.matches("input.tick-all")) return;
  for (const other of box.closest("table").querySelectorAll("tbody input[type=checkbox]")) {
    other.checked = box.checked;
  }
});

// A table wider than the screen scrolls in its own box: make that box reachable by keyboard.
function markScrollingTables() {
  for (const table of document.querySelectorAll("main table")) {
    if (table.scrollWidth > table.clientWidth + 1) {
      table.tabIndex = 0;
    }
  }
}
window.addEventListener("load", markScrollingTables);
window.addEventListener("resize", markScrollingTables);
