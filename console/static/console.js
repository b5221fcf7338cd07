/* Sila staff console: live refresh of server-rendered fragments, and reply drafts that survive
   an expired session. Nothing here builds markup from data: fragments come escaped from the server. */
(() => {
  "use strict";
  const body = document.body;
  const page = body.dataset.page;
  const conversation = body.dataset.conversation || "";
  const i18n = document.getElementById("i18n");
  const live = document.getElementById("live");
  const draftKey = conversation ? `sila-draft:${conversation}` : "";

  function toLogin() {
    window.location.assign(`/console/login?msg=expired&next=${encodeURIComponent(location.pathname)}`);
  }

  async function refresh(url, targetId) {
    const target = document.getElementById(targetId);
    if (!target) return;
    const resp = await fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } });
    if (resp.redirected && new URL(resp.url).pathname === "/console/login") { toLogin(); return; }
    if (!resp.ok) return;
    target.innerHTML = await resp.text();  // server-rendered, autoescaped fragment
    if (targetId === "transcript") scrollTranscript();
  }

  function scrollTranscript() {
    const list = document.getElementById("messages");
    if (list && list.lastElementChild) list.lastElementChild.scrollIntoView({ block: "nearest" });
  }

  function connect(delay) {
    if (page === "login" || page === "error" || !live) return;
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const query = conversation ? `?conversation=${encodeURIComponent(conversation)}` : "";
    const ws = new WebSocket(`${proto}//${location.host}/console/ws${query}`);
    ws.addEventListener("open", () => {
      body.dataset.live = "1";
      live.textContent = i18n.dataset.live;
      live.classList.add("on");
      delay = 1000;
      // anything that happened while the socket was down
      if (page === "queue") refresh("/console/queue/fragment" + location.search, "queue");
      if (conversation) refresh(`/console/c/${conversation}/transcript`, "transcript");
    });
    ws.addEventListener("message", (ev) => {
      let frame;
      try { frame = JSON.parse(ev.data); } catch { return; }
      if (frame.type === "org_event" && page === "queue") refresh("/console/queue/fragment" + location.search, "queue");
      if (frame.type === "org_event" && frame.event === "handoff") alertOfficer(frame);
      if (frame.type === "turn" && frame.conversation_id === conversation) {
        refresh(`/console/c/${conversation}/transcript`, "transcript");
      }
      if (frame.type === "session_ended") toLogin();
    });
    ws.addEventListener("close", (ev) => {
      body.dataset.live = "0";
      live.textContent = i18n.dataset.offline;
      live.classList.remove("on");
      if (ev.code === 4401) { toLogin(); return; }
      setTimeout(() => connect(Math.min(delay * 2, 15000)), delay);
    });
  }

  function drafts() {
    const reply = document.getElementById("reply");
    if (!reply || !draftKey) return;
    const params = new URLSearchParams(location.search);
    if (params.get("msg") === "sent") {
      sessionStorage.removeItem(draftKey);
    } else if (!reply.value) {
      const saved = sessionStorage.getItem(draftKey);
      if (saved) reply.value = saved;
    }
    reply.addEventListener("input", () => sessionStorage.setItem(draftKey, reply.value));
    document.getElementById("reply-form").addEventListener("submit", () => sessionStorage.setItem(draftKey, reply.value));
    const canned = document.getElementById("canned");
    if (canned) {
      canned.addEventListener("change", () => {
        if (!canned.value) return;
        reply.value = reply.value ? `${reply.value}\n${canned.value}` : canned.value;
        sessionStorage.setItem(draftKey, reply.value);
        canned.value = "";
        reply.focus();
      });
    }
  }

  function loginNote() {
    if (page !== "login") return;
    const next = new URLSearchParams(location.search).get("next") || "";
    const m = next.match(/^\/console\/c\/([0-9a-f]{1,32})/);
    const note = document.getElementById("draft-note");
    if (m && note && sessionStorage.getItem(`sila-draft:${m[1]}`)) note.hidden = false;
  }

  // a broadcast that is sending: its progress fragment, refreshed every second until it stops
  function broadcastProgress() {
    const box = document.getElementById("bc-progress");
    if (page !== "broadcast" || !box || box.dataset.live !== "1") return;
    const timer = setInterval(async () => {
      try { await refresh(box.dataset.url, "bc-progress"); } catch { return; }
      const state = box.querySelector("[data-sending]");
      if (state && state.dataset.sending === "0") {
        clearInterval(timer);
        window.location.reload();  // the final report and the buttons for the new state
      }
    }, 1000);
  }

  // actions that cannot be undone (sending to everyone, cancelling) ask first: data-confirm
  function confirmations() {
    document.addEventListener("submit", (event) => {
      const form = event.target;
      if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    }, true);
  }

  // Ctrl+Enter (⌘+Enter) sends the reply from the keyboard
  function keyboard() {
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || event.isComposing) return;
      const box = event.target;
      if (!(box instanceof HTMLTextAreaElement) || !box.form) return;
      event.preventDefault();
      box.form.requestSubmit();
    });
  }

  // Actions without reloading the page: a POST form is sent with fetch and the page's <main> is
  // swapped for the answer's (server-rendered and escaped, like the live fragments); the address
  // bar follows. Anything that leads elsewhere (another page, the login page) is a real navigation.
  function inPlaceForms() {
    if (page === "login") return;
    document.addEventListener("submit", async (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement)) return;
      // the attribute, not form.action: a field named "action" (the edit forms have one) shadows it
      const action = new URL(form.getAttribute("action") || location.href, location.href);
      if (event.defaultPrevented || (form.getAttribute("method") || "get").toLowerCase() !== "post"
          || form.dataset.reload === "1" || action.pathname === "/console/logout") return;
      event.preventDefault();
      const buttons = [...form.querySelectorAll("button")];
      for (const b of buttons) b.disabled = true;
      let resp;
      try {
        resp = await fetch(action.href, { method: "POST", body: new FormData(form), credentials: "same-origin",
                                          headers: { "X-Requested-With": "fetch" } });
      } catch {
        for (const b of buttons) b.disabled = false;
        form.submit();  // the network hiccuped: an ordinary submit shows the browser's own error
        return;
      }
      const target = new URL(resp.url);
      if (target.pathname === "/console/login") { toLogin(); return; }
      const doc = new DOMParser().parseFromString(await resp.text(), "text/html");
      const fresh = doc.querySelector("main");
      // a refusal is answered in place (same URL as the form's action, an error and the form as
      // typed); a success redirects, to this page or to another one
      if (!fresh || (resp.redirected && target.pathname !== location.pathname)) {
        window.location.assign(resp.redirected ? resp.url : location.href);
        return;
      }
      document.querySelector("main").replaceWith(document.adoptNode(fresh));
      document.title = doc.title;
      for (const [k, v] of Object.entries(doc.body.dataset)) if (k !== "live") body.dataset[k] = v;
      if (resp.redirected) history.replaceState(null, "", resp.url);
      drafts();
      scrollTranscript();
      const reply = document.getElementById("reply");
      if (reply && form.id === "reply-form") reply.focus();
    });
  }

  // "/" at the start of the reply box offers the canned replies whose title matches what follows;
  // Tab (or a click) puts the first (or the chosen) one in. Built with textContent only.
  function cannedShortcut() {
    document.addEventListener("input", (event) => {
      const reply = event.target;
      if (!(reply instanceof HTMLTextAreaElement) || reply.id !== "reply") return;
      const select = document.getElementById("canned");
      let list = document.getElementById("canned-suggest");
      const m = reply.value.match(/^\/(\S*)$/);
      if (!m || !select) { if (list) list.hidden = true; return; }
      if (!list) {
        list = document.createElement("ul");
        list.id = "canned-suggest";
        list.className = "canned-suggest";
        list.setAttribute("role", "listbox");
        reply.after(list);
      }
      const query = m[1].toLowerCase();
      const options = [...select.options].filter((o) => o.value && o.textContent.toLowerCase().includes(query)).slice(0, 6);
      list.replaceChildren(...options.map((o) => {
        const li = document.createElement("li");
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = o.textContent;
        b.dataset.body = o.value;
        b.setAttribute("role", "option");
        li.append(b);
        return li;
      }));
      list.hidden = options.length === 0;
    });
    document.addEventListener("click", (event) => {
      const b = event.target instanceof Element ? event.target.closest("#canned-suggest button") : null;
      if (b) pickCanned(b.dataset.body);
    });
    document.addEventListener("keydown", (event) => {
      const list = document.getElementById("canned-suggest");
      if (event.key !== "Tab" || !(event.target instanceof HTMLTextAreaElement) || event.target.id !== "reply"
          || !list || list.hidden) return;
      const first = list.querySelector("button");
      if (!first) return;
      event.preventDefault();
      pickCanned(first.dataset.body);
    });
  }

  function pickCanned(text) {
    const reply = document.getElementById("reply");
    const list = document.getElementById("canned-suggest");
    if (!reply) return;
    reply.value = text || "";
    if (list) list.hidden = true;
    if (draftKey) sessionStorage.setItem(draftKey, reply.value);
    reply.focus();
  }

  // Opt-in: a desktop notification and a short sound on each new hand-off, on any console page
  // left open (the choice is kept in this browser).
  const NOTIFY_KEY = "sila.notify";
  const notifyOn = () => localStorage.getItem(NOTIFY_KEY) === "1" && "Notification" in window
    && Notification.permission === "granted";

  function notifyToggle() {
    const button = document.getElementById("notify-toggle");
    if (!button || !("Notification" in window)) return;
    const show = () => { button.textContent = notifyOn() ? button.dataset.on : button.dataset.off; };
    button.hidden = false;
    show();
    button.addEventListener("click", async () => {
      if (notifyOn()) {
        localStorage.setItem(NOTIFY_KEY, "0");
      } else {
        const answer = await Notification.requestPermission();
        localStorage.setItem(NOTIFY_KEY, answer === "granted" ? "1" : "0");
        if (answer === "granted") beep();  // also unlocks audio for later, from this click
      }
      show();
    });
  }

  let audio = null;
  function beep() {
    try {
      audio = audio || new AudioContext();
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.4);
    } catch { /* no audio: the notification still shows */ }
  }

  function alertOfficer(frame) {
    if (!notifyOn()) return;
    try {
      const note = new Notification(i18n.dataset.newHandoff, { body: i18n.dataset.newHandoffBody,
                                                               tag: `sila-${frame.conversation_id}` });
      note.onclick = () => { window.focus(); window.location.assign(`/console/c/${frame.conversation_id}`); };
    } catch { /* a browser without page notifications */ }
    beep();
  }

  // The queue's response timers keep counting between refreshes: minutes since the hand-off,
  // marked once past the association's first-response target (its pack's first_response_minutes).
  function slaTimers() {
    if (page !== "queue") return;
    const tick = () => {
      for (const cell of document.querySelectorAll("td.sla[data-since]")) {
        const since = Date.parse(cell.dataset.since);
        if (Number.isNaN(since)) continue;
        const minutes = Math.max(0, Math.floor((Date.now() - since) / 60000));
        const limit = parseInt(cell.dataset.sla, 10);
        const shown = cell.querySelector(".sla-min");
        if (shown) shown.textContent = String(minutes);
        const late = Boolean(limit) && minutes >= limit;
        cell.classList.toggle("over", late);
        const note = cell.querySelector(".sla-late");
        if (note) note.hidden = !late;
      }
    };
    setInterval(tick, 20000);
  }

  confirmations();
  slaTimers();
  notifyToggle();
  cannedShortcut();
  keyboard();
  inPlaceForms();
  drafts();
  loginNote();
  broadcastProgress();
  scrollTranscript();
  connect(1000);
})();
