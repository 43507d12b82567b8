// "Copy link" buttons: <button data-copy-from="input-id" data-copied-text="Copied" hidden>.
// The button stays hidden without JavaScript; the input can still be selected by hand.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-copy-from]")) {
    const source = document.getElementById(button.dataset.copyFrom);
    const status = button.parentElement.querySelector(".copy-status");
    if (!source || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      await navigator.clipboard.writeText(source.value);
      if (status) status.textContent = button.dataset.copiedText || "";
    });
  }
});
