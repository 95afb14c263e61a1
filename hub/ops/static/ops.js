// The /ops page's few actions: dry run, replay, edit-and-replay, discard, each confirmed.
// Writes go to /ops/api with the sign-in cookie and the CSRF header the API requires.
"use strict";

(function () {
  const csrfHeader = document.body.dataset.csrfHeader;
  const csrf = document.body.dataset.csrf;
  const status = document.getElementById("status");
  const say = (text) => { status.textContent = text; };

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", [csrfHeader]: csrf },
      body: JSON.stringify(body || {}),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(`${response.status}: ${data.message || response.statusText}`);
    }
    return data;
  }

  // A native <dialog>: focus moves into it, Escape cancels, the choice comes back as a promise.
  function confirmAction(text) {
    const dialog = document.getElementById("confirm");
    document.getElementById("confirm-text").textContent = text;
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
      dialog.showModal();
      document.getElementById("confirm-cancel").focus();
    });
  }

  const actions = document.getElementById("actions");
  if (!actions) return;
  const id = actions.dataset.letter;
  const version = () => {
    const v = document.getElementById("mapping-version");
    return v && v.value ? Number(v.value) : null;
  };
  const base = `/ops/api/dead-letters/${id}`;

  document.getElementById("dry-run").addEventListener("click", async () => {
    try {
      const result = await post(`${base}/dry-run`, { mapping_version: version() });
      const diff = document.getElementById("diff");
      diff.replaceChildren(...(result.diff || "(no difference)").split("\n").map((line) => {
        const span = document.createElement("span");
        span.className = line.startsWith("+") ? "add" : line.startsWith("-") ? "del" :
          line.startsWith("@@") ? "hunk" : "";
        span.textContent = line + "\n";
        return span;
      }));
      diff.hidden = false;
      say(result.would_replay ? "Dry run: the replay would publish this event." :
        `Dry run: the replay would fail: ${result.proposed.error}`);
    } catch (e) { say(`Dry run failed: ${e.message}`); }
  });

  async function replay(url, body, what) {
    if (!(await confirmAction(what))) { say("Cancelled."); return; }
    try {
      const result = await post(url, body);
      if (result.replayed) {
        say(`Replayed as event ${Object.values(result.events)[0]}.`);
        document.getElementById("letter-status").textContent = "replayed";
        actions.hidden = true;
      } else {
        say(`Replay failed again: ${Object.values(result.failures)[0] || JSON.stringify(result.skips)}`);
      }
    } catch (e) { say(`Replay refused: ${e.message}`); }
  }

  document.getElementById("replay").addEventListener("click", () => {
    const v = version();
    replay(`${base}/replay`, { mapping_version: v },
      `Replay dead letter #${id}${v ? ` through mapping version ${v}` : ""}? It is published once.`);
  });

  document.getElementById("edit-replay").addEventListener("click", () => {
    replay(`${base}/edit-and-replay`,
      { payload_text: document.getElementById("edited").value, mapping_version: version() },
      `Replay dead letter #${id} with the edited bytes? The original bytes are kept.`);
  });

  document.getElementById("discard").addEventListener("click", async () => {
    const reason = document.getElementById("discard-reason");
    if (!reason.value.trim()) { say("A discard needs a reason."); reason.focus(); return; }
    if (!(await confirmAction(`Discard dead letter #${id}? It is kept, marked discarded.`))) {
      say("Cancelled."); return;
    }
    try {
      await post(`${base}/discard`, { reason: reason.value });
      say("Discarded.");
      document.getElementById("letter-status").textContent = "discarded";
      actions.hidden = true;
    } catch (e) { say(`Discard refused: ${e.message}`); }
  });
})();
