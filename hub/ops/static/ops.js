// The /ops page's script: live refresh, selection and redrive tasks on the console; dry run,
// replay, edit-and-replay and discard on a letter. The server renders every part; this script
// fetches those parts again (elements marked data-live) and swaps in what changed, so the page
// reads the same with or without it. Writes go to /ops/api with the session's CSRF value.
"use strict";

(function () {
  document.documentElement.classList.remove("no-js");
  const csrfHeader = document.body.dataset.csrfHeader;
  const backgroundHeader = "X-Crossdock-Background";
  const csrf = document.body.dataset.csrf;
  const status = document.getElementById("status");
  // the message box covers part of the page: it goes after a while (the next message replaces it)
  let sayTimer = null;
  const say = (text) => {
    status.textContent = text;
    clearTimeout(sayTimer);
    sayTimer = setTimeout(() => { status.textContent = ""; }, 12000);
  };

  class SignedOut extends Error {}

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", [csrfHeader]: csrf },
      body: JSON.stringify(body || {}),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const detail = data.message || (typeof data.detail === "string" ? data.detail : "");
      throw new Error(`${response.status}: ${detail || response.statusText}`);
    }
    return data;
  }

  // Fetch a server-rendered page and swap in its data-live parts that changed.
  // A background poll says so, and does not count as the operator's activity: a page left open
  // must not keep its session from ending when idle.
  async function refreshFrom(url, background) {
    const headers = { Accept: "text/html" };
    if (background) headers[backgroundHeader] = "1";
    const response = await fetch(url, { credentials: "same-origin", headers });
    if (response.status === 401 || response.redirected) throw new SignedOut("signed out");
    if (!response.ok) throw new Error(`${response.status}: ${response.statusText}`);
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const fresh of doc.querySelectorAll("[data-live][id]")) {
      const old = document.getElementById(fresh.id);
      if (old && old.innerHTML !== fresh.innerHTML) old.replaceWith(document.importNode(fresh, true));
    }
    return doc;
  }

  // A native <dialog>: focus moves into it, Escape cancels, the choice comes back as a promise.
  function confirmAction(text, ok = "Confirm", cancel = "Cancel") {
    const dialog = document.getElementById("confirm");
    document.getElementById("confirm-text").textContent = text;
    document.getElementById("confirm-ok").textContent = ok;
    const cancelButton = document.getElementById("confirm-cancel");
    cancelButton.textContent = cancel;
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
      dialog.returnValue = "";
      dialog.showModal();
      cancelButton.focus();
    });
  }

  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

  // -- the console: live parts, selection, redrive tasks ----------------------------------
  function consolePage(note) {
    const SLOW = 15000;
    const FAST = 2000;
    let timer = null;
    let stopped = false;
    const active = () => document.querySelector(
      '#tasks tr[data-status="running"], #tasks tr[data-status="cancelling"]') !== null;
    const selection = redriveSelection();

    function schedule(delay) {
      clearTimeout(timer);
      timer = null;
      if (!stopped && !document.hidden) {
        timer = setTimeout(refresh, delay === undefined ? (active() ? FAST : SLOW) : delay);
      }
    }

    async function refresh() {
      const wasActive = active();
      try {
        const doc = await refreshFrom(note.dataset.liveUrl, true);
        document.getElementById("refreshed").textContent =
          doc.getElementById("refreshed-at").textContent;
        if (selection) selection.restore();
        if (wasActive && !active()) {
          const row = document.querySelector("#tasks tbody tr");
          if (row) say(`Redrive ${row.cells[0].textContent}: ${row.cells[1].textContent}, ${row.cells[2].innerText.trim()}.`);
        }
      } catch (e) {
        if (e instanceof SignedOut) {
          stopped = true;
          say("Signed out: reload the page to sign in again.");
          return;
        }
        say(`Refresh failed (trying again): ${e.message}`);
      }
      schedule();
    }

    document.addEventListener("visibilitychange", () => {
      if (document.hidden) schedule(); // clears the timer: nothing is fetched while hidden
      else refresh();
    });
    document.addEventListener("click", async (event) => {
      const button = event.target.closest(".task-cancel");
      if (!button) return;
      const id = button.dataset.task;
      const go = await confirmAction(
        `Cancel redrive #${id}? It stops after its current batch: what moved stays moved, the rest stays open.`,
        "Stop the redrive", "Keep it running");
      if (!go) { say("Redrive left running."); return; }
      try {
        const task = await post(`/ops/api/redrives/${id}/cancel`);
        say(`Redrive #${id}: ${task.status}, ${task.moved} of ${task.to_move} moved.`);
      } catch (e) { say(`Cancel refused: ${e.message}`); }
      refresh();
    });
    if (selection) selection.onStarted = refresh;
    schedule();
  }

  function redriveSelection() {
    const bar = document.getElementById("redrive");
    if (!bar) return null; // a viewer: no writes
    const chosen = new Set();
    let allMatching = false;
    const text = document.getElementById("selection");
    const matchingButton = document.getElementById("select-matching");
    const clearButton = document.getElementById("select-clear");
    const start = document.getElementById("redrive-start");
    const rateField = document.getElementById("redrive-rate");
    const versionField = document.getElementById("redrive-version");
    const versionNote = document.getElementById("redrive-version-note");
    const catalog = JSON.parse(bar.dataset.catalog || "{}");
    // the mappings the letters of "all matching" failed with, asked of the API once chosen
    let matchingMappings = null;
    let offered = "";
    const boxes = () => [...document.querySelectorAll("#letters-body input.pick:not(:disabled)")];
    const matching = () => Number(document.getElementById("matching-total").textContent);
    const openFilter = bar.dataset.openFilter === "yes";
    const count = () => (allMatching ? matching() : chosen.size);

    function show() {
      const all = boxes();
      const page = document.getElementById("select-page");
      page.checked = all.length > 0 && all.every((b) => b.checked);
      page.indeterminate = !page.checked && all.some((b) => b.checked);
      page.disabled = all.length === 0;
      const n = count();
      text.textContent = allMatching
        ? `All ${plural(n, "open letter", "open letters")} matching this filter are selected.`
        : n ? `${n} selected on this page.` : "No letter selected.";
      document.getElementById("select-matching-count").textContent = matching();
      matchingButton.hidden = allMatching || !openFilter || matching() === 0;
      clearButton.hidden = n === 0;
      start.disabled = n === 0;
      start.textContent = n ? `Redrive ${plural(n, "letter", "letters")}` : "Redrive";
      offerVersions();
    }

    // The mappings (and versions) the selected letters failed with: {id: Set(version)}, and
    // how many name no mapping.
    function selectedMappings() {
      if (allMatching) return matchingMappings;
      const found = { mappings: new Map(), without: 0 };
      for (const id of chosen) {
        const row = document.querySelector(`#letters-body tr[data-letter="${id}"]`);
        const ref = row ? row.dataset.mapping : "";
        if (!ref) { found.without += 1; continue; }
        const at = ref.lastIndexOf("@");
        const name = ref.slice(0, at);
        if (!found.mappings.has(name)) found.mappings.set(name, new Set());
        found.mappings.get(name).add(Number(ref.slice(at + 1)));
      }
      return found;
    }

    // A version applies to each letter's own mapping: it can be chosen only when the letters
    // share one mapping. Offered: the newest (the default, as the API and the CLI have it), the
    // version the letters failed with, and the versions newer than that.
    function offerVersions() {
      const found = count() ? selectedMappings() : null;
      const key = found ? JSON.stringify([...found.mappings].map(([k, v]) => [k, [...v]]).concat(found.without)) : "";
      if (key === offered) return;
      offered = key;
      const keep = versionField.value;
      const options = [new Option("Newest of each letter's mapping", "")];
      let note = "";
      if (found && found.mappings.size === 1 && found.without === 0) {
        const [[name, failed]] = [...found.mappings];
        const versions = catalog[name] || [];
        const oldest = Math.min(...failed);
        if (versions.length) options[0].text = `Newest: ${name}@${versions[versions.length - 1]}`;
        for (const v of versions) {
          if (v < oldest) continue;
          const mark = failed.has(v) ? (failed.size === 1 ? " (the letters' version)" : " (some letters' version)") : "";
          options.push(new Option(`${name}@${v}${mark}`, String(v)));
        }
      } else if (found && found.mappings.size + (found.without ? 1 : 0) > 1) {
        note = "The letters come from several mappings (or none): each goes through its own mapping's newest version.";
      } else if (found && found.without) {
        note = "The letters name no mapping: they are read again as they came.";
      }
      versionField.replaceChildren(...options);
      if ([...versionField.options].some((o) => o.value === keep)) versionField.value = keep;
      versionField.disabled = options.length < 2;
      versionNote.textContent = note;
    }

    function pick(box, on) {
      box.checked = on;
      if (on) chosen.add(Number(box.value)); else chosen.delete(Number(box.value));
    }

    function clear() {
      allMatching = false;
      matchingMappings = null;
      chosen.clear();
      for (const b of boxes()) b.checked = false;
      show();
    }

    document.getElementById("letters").addEventListener("change", (event) => {
      const box = event.target;
      if (box.id === "select-page") {
        for (const b of boxes()) pick(b, box.checked);
        if (!box.checked) allMatching = false;
      } else if (box.classList.contains("pick")) {
        pick(box, box.checked);
        if (!box.checked) allMatching = false;
      }
      show();
    });
    matchingButton.addEventListener("click", async () => {
      allMatching = true;
      matchingMappings = { mappings: new Map(), without: 0 };
      for (const b of boxes()) pick(b, true);
      show();
      clearButton.focus();
      try {
        const response = await fetch(`/ops/api/dead-letters/mapping-versions${window.location.search}`,
          { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (!response.ok) throw new Error(`${response.status}: ${response.statusText}`);
        const data = await response.json();
        const found = { mappings: new Map(), without: data.without_mapping };
        for (const m of data.mappings) {
          found.mappings.set(m.mapping_id, new Set(Object.keys(m.failed_with).map(Number)));
          catalog[m.mapping_id] = m.versions;
        }
        if (allMatching) { matchingMappings = found; offered = "?"; show(); }
      } catch (e) { say(`Could not read the letters' mappings: ${e.message}`); }
    });
    clearButton.addEventListener("click", () => { clear(); start.focus(); });

    start.addEventListener("click", async () => {
      const rate = rateField.value === "" ? null : Number(rateField.value);
      if (rate !== null && !(rate >= 1 && rate <= 100000)) {
        say("The rate is letters per second, from 1 to 100000 (empty: no cap).");
        rateField.focus();
        return;
      }
      const filter = JSON.parse(bar.dataset.filter);
      if (!allMatching) filter.ids = [...chosen];
      const n = count();
      const what = allMatching
        ? `all ${plural(n, "open letter", "open letters")} matching this filter`
        : plural(n, "selected letter", "selected letters");
      const pace = rate ? `at most ${rate} per second` : "with no rate cap";
      const mappingVersion = versionField.value === "" ? null : Number(versionField.value);
      const through = mappingVersion === null ? "" :
        ` through ${versionField.selectedOptions[0].text.replace(/ \(.*\)$/, "")}`;
      const go = await confirmAction(
        `Redrive ${what}${through}, ${pace}? Each is published once and marked replayed; a letter that fails again stays open.`,
        "Start the redrive");
      if (!go) { say("Cancelled: nothing redriven."); return; }
      try {
        const task = await post("/ops/api/redrives", { filter, rate, mapping_version: mappingVersion });
        say(`Redrive #${task.id} started: ${plural(task.to_move, "letter", "letters")} to move.`);
        clear();
      } catch (e) { say(`Redrive refused: ${e.message}`); }
      if (api.onStarted) api.onStarted();
    });

    const api = {
      onStarted: null,
      // after the table was swapped: keep what is still there and open
      restore() {
        const present = new Set();
        for (const b of boxes()) {
          const id = Number(b.value);
          present.add(id);
          b.checked = allMatching || chosen.has(id);
        }
        for (const id of [...chosen]) if (!present.has(id)) chosen.delete(id);
        show();
      },
    };
    show();
    return api;
  }

  // -- one letter: dry run, replay, edit-and-replay, discard --------------------------------
  function letterPage(actions) {
    const id = actions.dataset.letter;
    const base = `/ops/api/dead-letters/${id}`;
    const version = () => {
      const v = document.getElementById("mapping-version");
      return v && v.value ? Number(v.value) : null;
    };

    // status, facts and history as the server now has them; the actions go once not open
    async function refreshLetter() {
      try {
        const doc = await refreshFrom(`/ops/letters/${id}`);
        if (!doc.getElementById("actions")) actions.hidden = true;
      } catch (e) { say(`${status.textContent} (refresh failed: ${e.message})`); }
    }

    async function dryRun(body) {
      try {
        const result = await post(`${base}/dry-run`, body);
        const panel = document.getElementById("dry-run-result");
        const summary = document.getElementById("dry-run-summary");
        summary.textContent = result.summary;
        summary.className = `verdict ${result.would_replay ? "good" : "bad"}`;
        document.getElementById("dry-run-change").textContent = result.change;
        const diff = document.getElementById("diff");
        diff.replaceChildren(...result.diff.split("\n").map((line) => {
          const span = document.createElement("span");
          span.className = line.startsWith("+") ? "add" : line.startsWith("-") ? "del" :
            line.startsWith("@@") ? "hunk" : "";
          span.textContent = line + "\n";
          return span;
        }));
        diff.hidden = result.diff === "";
        panel.hidden = false;
        summary.focus();
        say(`Dry run: ${result.summary}`);
      } catch (e) { say(`Dry run refused: ${e.message}`); }
    }

    document.getElementById("dry-run").addEventListener("click", () => {
      dryRun({ mapping_version: version() });
    });
    document.getElementById("edit-dry-run").addEventListener("click", () => {
      dryRun({ mapping_version: version(), payload_text: document.getElementById("edited").value });
    });

    async function replay(url, body, what) {
      if (!(await confirmAction(what, "Replay"))) { say("Cancelled."); return; }
      try {
        const result = await post(url, body);
        if (result.replayed) {
          say(`Replayed as event ${Object.values(result.events)[0]}.`);
        } else {
          say(`Replay failed again: ${Object.values(result.failures)[0] || JSON.stringify(result.skips)}`);
        }
      } catch (e) { say(`Replay refused: ${e.message}`); }
      await refreshLetter();
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
      if (!(await confirmAction(`Discard dead letter #${id}? It is kept, marked discarded.`, "Discard"))) {
        say("Cancelled."); return;
      }
      try {
        await post(`${base}/discard`, { reason: reason.value });
        say("Discarded.");
      } catch (e) { say(`Discard refused: ${e.message}`); }
      await refreshLetter();
    });
  }

  const note = document.getElementById("live-note");
  if (note) consolePage(note);
  const actions = document.getElementById("actions");
  if (actions) letterPage(actions);
})();
