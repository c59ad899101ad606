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

// An evidence upload shows how much has been sent; the page the server answers with (its
// messages, success or the reason for a refusal) then replaces this one.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.id !== "upload" || !window.XMLHttpRequest || !window.FormData) return;
  event.preventDefault();
  const shown = form.querySelector(".upload-progress");
  const bar = shown.querySelector("progress");
  const said = shown.querySelector("span");
  shown.hidden = false;
  const request = new XMLHttpRequest();
  request.open("POST", form.action);
  request.setRequestHeader("X-Upload-Progress", "1");
  request.upload.addEventListener("progress", (sent) => {
    if (!sent.lengthComputable) return;
    const percent = Math.round((100 * sent.loaded) / sent.total);
    bar.value = percent;
    said.textContent = percent + " %";
  });
  request.addEventListener("load", () => {
    window.location.href = request.getResponseHeader("X-Back") || request.responseURL || window.location.href;
  });
  request.addEventListener("error", () => { form.submit(); });
  for (const button of form.querySelectorAll("button")) button.disabled = true;
  request.send(new FormData(form));
});

// Rows of a form's list added and removed in the page. Without this script the same buttons
// post the form and the server answers it with a row more or less. A row is a `tr[data-index]`
// of the table the "add" button names (data-add-row); its fields' id, name and for hold the
// index as `-N-` or `-N` at the end.
function renumber(element, from, to) {
  for (const field of [element, ...element.querySelectorAll("[id], [name], [for], [aria-label]")]) {
    for (const attribute of ["id", "name", "for"]) {
      const value = field.getAttribute(attribute);
      if (value) field.setAttribute(attribute, value.replace(`-${from}-`, `-${to}-`).replace(new RegExp(`-${from}$`), `-${to}`));
    }
    const label = field.getAttribute("aria-label");
    if (label) field.setAttribute("aria-label", label.replace(new RegExp(` ${from + 1}$`), ` ${to + 1}`));
  }
  element.dataset.index = String(to);
}

function numberRows(body) {
  body.querySelectorAll("tr[data-index] .row-number").forEach((cell, n) => { cell.textContent = String(n + 1); });
}

function emptied(row) {
  for (const field of row.querySelectorAll("input, select, textarea")) {
    if (field.type === "checkbox" || field.type === "radio") field.checked = false;
    else if (field.tagName === "SELECT") field.selectedIndex = 0;
    else if (field.type !== "hidden" && field.type !== "submit") field.value = "";
    field.classList.remove("invalid");
  }
  for (const said of row.querySelectorAll(".field-error, .row-verdict")) said.remove();
}

document.addEventListener("click", (event) => {
  const adder = event.target.closest && event.target.closest("[data-add-row]");
  if (adder) {
    const body = document.querySelector(`#${adder.dataset.addRow} tbody`);
    const rows = body ? body.querySelectorAll("tr[data-index]") : [];
    if (!rows.length) return;
    event.preventDefault();
    const last = rows[rows.length - 1];
    const next = Math.max(...[...rows].map((row) => Number(row.dataset.index))) + 1;
    const copy = last.cloneNode(true);
    renumber(copy, Number(last.dataset.index), next);
    emptied(copy);
    body.appendChild(copy);
    numberRows(body);
    const first = copy.querySelector("input:not([type=hidden]), select");
    if (first) first.focus();
    return;
  }
  const remover = event.target.closest && event.target.closest("[data-remove-row]");
  if (remover) {
    const row = remover.closest("tr[data-index]");
    if (!row) return;
    event.preventDefault();
    const body = row.parentElement;
    if (body.querySelectorAll("tr[data-index]").length > 1) row.remove();
    else emptied(row);
    numberRows(body);
  }
});
