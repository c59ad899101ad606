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
