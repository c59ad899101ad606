// Behaviour of the portal's pages, kept out of the HTML: the Content-Security-Policy runs
// scripts from this site's files only (no inline scripts or handlers).
document.addEventListener("change", (event) => {
  const box = event.target;
  if (!box.matches("input.tick-all")) return;
  for (const other of box.closest("table").querySelectorAll("tbody input[type=checkbox]")) {
    other.checked = box.checked;
  }
});
