// The playground: plain JavaScript over the public API (README "The service"). The editor comes
// from editor.js (CodeMirror 6, built by web/editor/build.mjs); nothing is fetched from elsewhere.
"use strict";

(() => {
  const KEY_HEADER = "X-Api-Key";
  const KEY_STORE = "runner.apiKey"; // sessionStorage: gone when the tab closes, never in a URL
  const LANGUAGE_STORE = "runner.language";

  // Programs that read their input, so the default stdin shows the round trip.
  const templates = {
    python: 'name = input()\nprint(f"Hello, {name}!")\n',
    c: '#include <stdio.h>\n\nint main(void) {\n    char name[100];\n    if (scanf("%99s", name) == 1)\n        printf("Hello, %s!\\n", name);\n    return 0;\n}\n',
    cpp: '#include <iostream>\n#include <string>\n\nint main() {\n    std::string name;\n    std::cin >> name;\n    std::cout << "Hello, " << name << "!\\n";\n}\n',
    java: 'import java.util.Scanner;\n\npublic class Main {\n    public static void main(String[] args) {\n        String name = new Scanner(System.in).next();\n        System.out.println("Hello, " + name + "!");\n    }\n}\n',
    javascript: 'const name = require("fs").readFileSync(0, "utf8").trim();\nconsole.log(`Hello, ${name}!`);\n',
    perl: 'my $name = <STDIN>;\nchomp $name;\nprint "Hello, $name!\\n";\n',
    bash: 'read -r name\necho "Hello, $name!"\n',
    fortran: 'program hello\n  character(len=100) :: name\n  read *, name\n  print "(a)", "Hello, " // trim(name) // "!"\nend program hello\n',
  };

  const $ = (id) => document.getElementById(id);
  const ui = {
    keyPanel: $("key-panel"), keyForm: $("key-form"), keyInput: $("api-key"), keyState: $("key-state"), forgetKey: $("forget-key"),
    form: $("run-form"), language: $("language"), stdin: $("stdin"), expected: $("expected"), problem: $("problem"),
    time: $("time"), memory: $("memory"), run: $("run"),
    result: $("result"), status: $("status"), outcome: $("outcome"), verdict: $("verdict"), exitStatus: $("exit-status"),
    cpuTime: $("cpu-time"), wallTime: $("wall-time"), memoryPeak: $("memory-peak"), score: $("score"), message: $("message"),
    compileBlock: $("compile-block"), compileOutput: $("compile-output"), outputBlock: $("output-block"), output: $("output"),
    testsBlock: $("tests-block"), tests: $("tests"),
  };

  const editor = window.RunnerEditor.create($("editor"), { label: "Source code" });
  let currentLanguage = "";

  // ---- API access ---------------------------------------------------------------------------

  function apiKey() { return sessionStorage.getItem(KEY_STORE) || ""; }

  function api(path, init = {}) {
    const headers = new Headers(init.headers || {});
    const key = apiKey();
    if (key) headers.set(KEY_HEADER, key);
    return fetch(path, { ...init, headers, cache: "no-store", credentials: "same-origin" });
  }

  // The API answers errors as RFC 7807 problem+json; say what it said, field by field.
  async function problemText(response) {
    let body = null;
    try { body = await response.json(); } catch { /* not JSON */ }
    if (response.status === 401) {
      ui.keyPanel.open = true;
      return apiKey() ? "The server refused this API key." : "This server needs an API key: paste one under “API key” above.";
    }
    if (!body) return `HTTP ${response.status} ${response.statusText}`;
    const fields = body.errors ? Object.entries(body.errors).map(([f, m]) => `${f}: ${m.join(" ")}`) : [];
    return fields.length ? fields.join("; ") : (body.detail || body.title || `HTTP ${response.status}`);
  }

  function showKeyState() {
    ui.keyState.textContent = apiKey() ? "(set for this tab)" : "(none)";
  }

  ui.keyForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const key = ui.keyInput.value.trim();
    if (key) sessionStorage.setItem(KEY_STORE, key); else sessionStorage.removeItem(KEY_STORE);
    ui.keyInput.value = "";
    showKeyState();
    if (await loadLanguages()) ui.keyPanel.open = false;
  });
  ui.forgetKey.addEventListener("click", () => {
    sessionStorage.removeItem(KEY_STORE);
    ui.keyInput.value = "";
    showKeyState();
    loadLanguages();
  });

  // ---- Languages ----------------------------------------------------------------------------

  async function loadLanguages() {
    ui.language.disabled = true;
    ui.run.disabled = true;
    let response;
    try {
      response = await api("/api/v1/languages");
    } catch (e) {
      setStatus(`Cannot reach the server: ${e.message}`, true);
      return false;
    }
    if (!response.ok) {
      setStatus(await problemText(response), true);
      return false;
    }
    const languages = await response.json();
    ui.language.replaceChildren(...languages.map((l) => {
      const option = document.createElement("option");
      option.value = l.id;
      option.textContent = l.version ? `${l.name} — ${l.version}` : l.name;
      return option;
    }));
    if (languages.length === 0) {
      const none = document.createElement("option");
      none.textContent = "No worker can judge any language yet";
      ui.language.append(none);
      setStatus("No live worker has recorded its languages yet; try again in a few seconds.", true);
      return false;
    }
    const remembered = sessionStorage.getItem(LANGUAGE_STORE);
    const preferred = [remembered, "python", languages[0].id].find((id) => id && languages.some((l) => l.id === id));
    ui.language.value = preferred;
    switchLanguage(preferred);
    ui.language.disabled = false;
    ui.run.disabled = false;
    if (ui.status.classList.contains("error")) setStatus("Ready.");
    return true;
  }

  // A template replaces the source only while the user has not written anything of their own.
  function switchLanguage(id) {
    const untouched = editor.value.trim() === "" || editor.value === (templates[currentLanguage] || "");
    currentLanguage = id;
    sessionStorage.setItem(LANGUAGE_STORE, id);
    editor.setLanguage(id);
    if (untouched) editor.value = templates[id] || "";
    if (ui.stdin.value === "" && templates[id]) ui.stdin.value = "world\n";
  }

  ui.language.addEventListener("change", () => switchLanguage(ui.language.value));

  // ---- Running ------------------------------------------------------------------------------

  function request() {
    const body = { language: ui.language.value, source: editor.value };
    const problem = ui.problem.value.trim();
    // A stored problem brings its own tests, limits and checker; the API refuses them alongside it.
    if (problem) {
      body.problem = problem;
      return body;
    }
    body.stdin = ui.stdin.value;
    if (ui.expected.value !== "") body.expected_output = ui.expected.value;
    const limits = {};
    if (ui.time.value !== "") limits.time = Number(ui.time.value);
    if (ui.memory.value !== "") limits.memory = Math.round(Number(ui.memory.value) * 1024 * 1024);
    if (Object.keys(limits).length) body.limits = limits;
    return body;
  }

  ui.problem.addEventListener("input", () => {
    const stored = ui.problem.value.trim() !== "";
    for (const field of [ui.stdin, ui.expected, ui.time, ui.memory]) field.disabled = stored;
  });

  ui.form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (ui.run.disabled) return;
    ui.run.disabled = true;
    ui.result.setAttribute("aria-busy", "true");
    clearResult();
    setStatus("Submitting…");
    try {
      const response = await api("/api/v1/submissions", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(request()),
      });
      if (!response.ok) return setStatus(await problemText(response), true);
      const accepted = await response.json();
      setStatus("Queued…");
      await follow(accepted.id);
    } catch (err) {
      setStatus(`The request failed: ${err.message}`, true);
    } finally {
      ui.run.disabled = false;
      ui.result.removeAttribute("aria-busy");
    }
  });

  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      ui.form.requestSubmit();
    }
  });

  // Progress comes from the submission's event stream when the server has one, else from polling.
  async function follow(id) {
    const live = new Map();
    if (await streamEvents(id, live)) return;
    await poll(id);
  }

  // Server-sent events read through fetch rather than EventSource, which cannot send the key header.
  async function streamEvents(id, live) {
    let response;
    try {
      response = await api(`/api/v1/submissions/${id}/events`, { headers: { Accept: "text/event-stream" } });
    } catch {
      return false;
    }
    if (!response.ok || !(response.headers.get("Content-Type") || "").startsWith("text/event-stream")) return false;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    let event = "message";
    let data = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return false; // the stream broke off before "finished": polling takes over
      buffer += value;
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, "");
        buffer = buffer.slice(newline + 1);
        if (line === "") {
          if (data.length && await onEvent(id, event, data.join("\n"), live)) {
            reader.cancel().catch(() => {});
            return true;
          }
          event = "message";
          data = [];
        } else if (!line.startsWith(":")) {
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "event") event = text;
          else if (field === "data") data.push(text);
        }
      }
    }
  }

  // Returns true once the submission is finished and shown.
  async function onEvent(id, event, text, live) {
    let payload = {};
    try { payload = JSON.parse(text); } catch { /* a plain-text event */ }
    switch (event) {
      case "queued": setStatus("Queued…"); break;
      case "compiling":
        live.clear(); // a second attempt (a worker died) runs every test again
        setStatus(payload.attempt > 1 ? `Compiling again (attempt ${payload.attempt}: a worker stopped)…` : "Compiling…");
        break;
      case "compiled": setStatus("Compiled; running…"); break;
      case "test": {
        // {index, count, test}: one per finished test, test being the object tests[] will hold.
        const test = payload.test || {};
        live.set(String(test.name ?? payload.index), test);
        renderTests([...live.values()]);
        setStatus(payload.count ? `Ran test ${payload.index ?? live.size} of ${payload.count}…` : `Ran ${live.size} test${live.size === 1 ? "" : "s"}…`);
        break;
      }
      case "finished": {
        // The data is the submission as GET answers it.
        if (payload.status === "finished") { render(payload); return true; }
        const response = await api(`/api/v1/submissions/${id}`);
        if (!response.ok) { setStatus(await problemText(response), true); return true; }
        render(await response.json());
        return true;
      }
    }
    return false;
  }

  async function poll(id) {
    const started = Date.now();
    for (;;) {
      const response = await api(`/api/v1/submissions/${id}`);
      if (!response.ok) return setStatus(await problemText(response), true);
      const view = await response.json();
      render(view);
      if (view.status === "finished") return;
      await new Promise((r) => setTimeout(r, Date.now() - started < 20000 ? 250 : 1000));
    }
  }

  // ---- Showing results ----------------------------------------------------------------------

  function setStatus(text, error = false) {
    ui.status.textContent = text;
    ui.status.classList.toggle("error", error);
  }

  function clearResult() {
    for (const block of [ui.outcome, ui.compileBlock, ui.outputBlock, ui.testsBlock, ui.message]) block.hidden = true;
    ui.tests.replaceChildren();
  }

  function progressText(view) {
    const p = view.progress;
    if (view.status === "queued") return "Queued…";
    if (!p) return "Running…";
    if (p.phase === "compiling") return "Compiling…";
    if (p.phase === "testing" && p.test_index) return `Running test ${p.test_index} of ${p.test_count}${p.test ? ` (${p.test})` : ""}…`;
    return "Starting…";
  }

  function render(view) {
    if (view.status !== "finished") {
      setStatus(progressText(view));
      if (view.tests && view.tests.length) renderTests(view.tests);
      return;
    }
    setStatus(`Finished in ${seconds(elapsed(view))} (submission ${view.id}).`);
    const tests = view.tests || [];
    const first = tests[0];
    ui.verdict.textContent = words(view.verdict);
    ui.verdict.className = `verdict ${view.verdict === "accepted" ? "accepted" : view.verdict === "internal_error" ? "internal_error" : "failed"}`;
    ui.exitStatus.textContent = first ? exitText(first) : "—";
    ui.cpuTime.textContent = first ? seconds(sum(tests, "cpu_time"), tests.length > 1 ? "total" : "") : "—";
    ui.wallTime.textContent = first ? seconds(sum(tests, "wall_time"), tests.length > 1 ? "total" : "") : "—";
    ui.memoryPeak.textContent = first ? bytes(Math.max(...tests.map((t) => t.memory_peak ?? 0))) + (tests.length > 1 ? " (largest)" : "") : "—";
    ui.score.textContent = `${view.score ?? 0} of ${tests.length || 1}`;
    ui.message.textContent = view.message || "";
    ui.message.hidden = !view.message;
    ui.outcome.hidden = false;

    const compile = view.compile;
    const compilerSaid = compile && compile.output && (compile.status !== "succeeded" || compile.output.trim() !== "");
    ui.compileOutput.textContent = compilerSaid ? compile.output : "";
    ui.compileBlock.hidden = !compilerSaid;

    ui.output.textContent = first ? first.output_excerpt : "";
    ui.outputBlock.hidden = !first || tests.length > 1;
    if (tests.length > 1) renderTests(tests); else ui.testsBlock.hidden = true;
  }

  function renderTests(tests) {
    ui.tests.replaceChildren(...tests.map((t) => {
      const row = document.createElement("tr");
      const cells = [String(t.name), words(t.verdict), seconds(t.cpu_time), bytes(t.memory_peak), exitText(t), t.message || ""];
      cells.forEach((text, i) => {
        const cell = document.createElement(i === 0 ? "th" : "td");
        if (i === 0) cell.scope = "row";
        if (i === 1) cell.className = t.verdict === "accepted" ? "accepted" : "failed";
        cell.textContent = text;
        row.append(cell);
      });
      return row;
    }));
    ui.testsBlock.hidden = tests.length === 0;
  }

  const words = (v) => (v ? v.replaceAll("_", " ") : "—");
  const sum = (tests, field) => tests.reduce((s, t) => s + (t[field] ?? 0), 0);
  const elapsed = (v) => (v.finished_at && v.created_at ? (Date.parse(v.finished_at) - Date.parse(v.created_at)) / 1000 : null);

  function seconds(s, note = "") {
    if (s === null || s === undefined) return "—";
    const text = s < 1 ? `${Math.round(s * 1000)} ms` : `${s.toFixed(2)} s`;
    return note ? `${text} (${note})` : text;
  }

  function bytes(b) {
    if (b === null || b === undefined) return "—";
    if (b < 1024) return `${b} B`;
    if (b < 1024 * 1024) return `${(b / 1024).toFixed(1)} KiB`;
    return `${(b / 1024 / 1024).toFixed(1)} MiB`;
  }

  function exitText(t) {
    if (t.signal !== null && t.signal !== undefined) return `killed by signal ${t.signal}`;
    if (t.exit_code !== null && t.exit_code !== undefined) return `exit code ${t.exit_code}`;
    return "—";
  }

  showKeyState();
  loadLanguages();
})();
