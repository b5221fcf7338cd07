/* Sila (صلة) web chat — one WebSocket per tab, no framework, no build step.
 *
 * Every stored message has a seq; the page shows each seq once, in seq order, and reconnects
 * with ?since=<highest seq shown>. A message typed here is shown at once as a "pending" bubble
 * keyed by its client id; the server's echo (same client id) confirms it, and a message still
 * unconfirmed when the socket drops is sent again, with the same id, after reconnecting.
 * All text goes in through textContent / text nodes, never innerHTML.
 */
(() => {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const html = document.documentElement;
  const data = document.body.dataset;
  const slug = data.slug;
  const names = { ar: data.nameAr, en: data.nameEn };
  const fullNames = { ar: data.fullAr || data.nameAr, en: data.fullEn || data.nameEn };

  const T = {
    ar: {
      connecting: "جارٍ الاتصال…", connected: "متصل", reconnecting: "انقطع الاتصال، نحاول مجدداً…",
      toggle: "English", send: "إرسال", placeholder: "اكتب رسالتك…", conversation: "المحادثة",
      officer: "الموظف", choices: "خيارات الرد", sending: "جارٍ الإرسال", failed: "لم تُرسل",
      retry: "إعادة الإرسال", typing: "صلة يكتب…", sila: "صلة", system: "صلة",
      newMessages: "رسائل جديدة", you: "أنت", attach: "إرفاق ملف", file: "ملف",
      uploadFailed: "تعذر رفع الملف. تحقق من الاتصال ثم أعد المحاولة.",
      intro: "أهلاً بك! أنا صلة، المساعد الرقمي للجمعية. اكتب سؤالك بالأسفل، أو ابدأ بالتحية:",
      hello: "السلام عليكم",
    },
    en: {
      connecting: "Connecting…", connected: "Connected", reconnecting: "Connection lost, reconnecting…",
      toggle: "العربية", send: "Send", placeholder: "Type your message…", conversation: "Conversation",
      officer: "Officer", choices: "Reply options", sending: "Sending", failed: "Not sent",
      retry: "Send again", typing: "Sila is typing…", sila: "Sila", system: "Sila",
      newMessages: "New messages", you: "You", attach: "Attach a file", file: "File",
      uploadFailed: "The file could not be uploaded. Check your connection and try again.",
      intro: "Welcome! I'm Sila, the association's digital assistant. Type your question below, or start with a greeting:",
      hello: "Hello",
    },
  };

  const el = {
    name: $("org-name"), status: $("status"), statusText: $("status-text"), toggle: $("lang-toggle"),
    thread: $("thread"), log: $("log"), intro: $("intro"), introTitle: $("intro-title"),
    introText: $("intro-text"), start: $("start"), typing: $("typing"), typingText: $("typing-text"),
    typingStatus: $("typing-status"), newer: $("newer"), newerText: $("newer-text"),
    attach: $("attach"), file: $("file"),
    form: $("composer"), input: $("input"), inputLabel: $("input-label"), send: $("send"), counter: $("counter"),
  };

  // ---- small helpers ---------------------------------------------------------------------
  const store = {
    get(key) { try { return localStorage.getItem(key); } catch { return null; } },
    set(key, value) { try { localStorage.setItem(key, value); } catch { /* private mode: keep in memory */ } },
  };
  const randomHex = (bytes) =>
    Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
  const make = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  const VISITOR_KEY = `sila.visitor.${slug}`;
  const LANG_KEY = `sila.lang.${slug}`;
  let visitor = store.get(VISITOR_KEY);
  if (!/^[a-f0-9]{32}$/.test(visitor || "")) {
    visitor = randomHex(16);
    store.set(VISITOR_KEY, visitor);
  }

  let lang = store.get(LANG_KEY) === "en" ? "en" : "ar";
  let maxChars = parseInt(data.maxChars, 10) || 4096;
  let ws = null;          // the live socket, or null
  let ready = false;      // welcome + history received on the live socket
  let attempt = 0;        // reconnect attempts since the last welcome
  let retryTimer = 0;
  let lastFrameAt = 0;
  let maxSeq = 0;
  const shown = new Map();    // seq -> <li>
  const pending = new Map();  // client id -> {frame, li, state: "queued" | "sent" | "failed"}
  // Button presses are stored with their value as text; show the label we offered instead.
  const labels = new Map([["lang:en", "English"], ["lang:ar", "العربية"]]);

  // ---- language & status -----------------------------------------------------------------
  function setLang(next) {
    lang = next === "en" ? "en" : "ar";
    const t = T[lang];
    store.set(LANG_KEY, lang);
    html.lang = lang;
    html.dir = lang === "ar" ? "rtl" : "ltr";
    document.title = `${names[lang]} · ${t.sila}`;
    el.name.textContent = names[lang];
    el.toggle.textContent = t.toggle;
    el.toggle.lang = lang === "ar" ? "en" : "ar";
    el.introTitle.textContent = fullNames[lang];
    el.introText.textContent = t.intro;
    el.start.textContent = t.hello;
    el.input.placeholder = t.placeholder;
    el.inputLabel.textContent = t.placeholder;
    el.send.setAttribute("aria-label", t.send);
    el.attach.setAttribute("aria-label", t.attach);
    el.log.setAttribute("aria-label", t.conversation);
    el.typingText.textContent = t.typing;
    for (const who of el.log.querySelectorAll(".who")) who.textContent = authorName(who.dataset);
    el.newerText.textContent = t.newMessages;
    if (!el.typing.hidden) el.typingStatus.textContent = t.typing;
    for (const time of el.log.querySelectorAll("time[datetime]")) time.textContent = formatTime(new Date(time.dateTime));
    for (const group of el.log.querySelectorAll(".quick")) group.setAttribute("aria-label", t.choices);
    for (const p of pending.values()) markState(p.li, p.state === "failed" ? "failed" : "pending");
    setStatus(el.status.dataset.state || "connecting");
  }

  function setStatus(state) {
    el.status.dataset.state = state;
    el.statusText.textContent = T[lang][state];
  }

  /** The dots are for eyes; the polite live region next to them is what a screen reader says. */
  function setTyping(on) {
    const stick = pinned;
    el.typing.hidden = !on;
    el.typingStatus.textContent = on ? T[lang].typing : "";
    if (on) follow(stick);
  }

  // ---- rendering -------------------------------------------------------------------------
  const URL_RE = /https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]»،؛]/g;

  function fillText(node, text) {
    let last = 0;
    for (const match of text.matchAll(URL_RE)) {
      node.append(text.slice(last, match.index));
      const a = make("a", "", match[0]);
      a.href = match[0];
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      node.append(a);
      last = match.index + match[0].length;
    }
    node.append(text.slice(last));
  }

  function formatTime(date) {
    if (Number.isNaN(date.getTime())) return "";
    try {
      const locale = lang === "ar" ? "ar-SA-u-nu-latn-ca-gregory" : "en-GB";
      return new Intl.DateTimeFormat(locale, { hour: "numeric", minute: "2-digit" }).format(date);
    } catch {
      return "";
    }
  }

  /** Who wrote a message, as a label: the officer's own name when the server gave it. */
  function authorName({ role, name }) {
    if (role === "officer") return name || T[lang].officer;
    if (role === "me") return T[lang].you;
    return T[lang].sila;
  }

  /** One message as an <li>: author label (visible for officers, for screen readers otherwise),
   * bubble, time, quick-reply buttons. */
  function bubble({ direction, author, author_name: authorNameText, text, at, buttons }) {
    const role = direction === "in" ? "me" : author === "officer" ? "officer" : "bot";
    const li = make("li", `msg msg-${role}`);
    const who = make("span", role === "officer" ? "who" : "who sr-only");
    who.dataset.role = role;
    if (typeof authorNameText === "string" && authorNameText) who.dataset.name = authorNameText;
    who.textContent = authorName(who.dataset);
    who.dir = "auto";
    li.append(who);
    const body = make("div", "bubble");
    body.dir = "auto";
    fillText(body, String(text ?? ""));
    li.append(body);
    const meta = make("div", "meta");
    const when = at ? new Date(at) : new Date();
    const time = make("time", "", formatTime(when));
    if (!Number.isNaN(when.getTime())) time.dateTime = when.toISOString();
    meta.append(time);
    li.append(meta);
    if (Array.isArray(buttons) && buttons.length) {
      const group = make("div", "quick");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", T[lang].choices);
      for (const b of buttons) {
        if (!b || typeof b.value !== "string") continue;
        const label = String(b.label ?? b.value);
        labels.set(b.value, label);
        const btn = make("button", "qr", label);
        btn.type = "button";
        btn.dir = "auto";
        btn.dataset.value = b.value;
        group.append(btn);
      }
      li.append(group);
    }
    return li;
  }

  function markState(li, state) {
    li.classList.toggle("pending", state === "pending");
    li.classList.toggle("failed", state === "failed");
    const meta = li.querySelector(".meta");
    for (const old of meta.querySelectorAll(".state, .retry")) old.remove();
    if (state === "pending") meta.append(make("span", "state", T[lang].sending));
    if (state === "failed") {
      meta.append(make("span", "state", T[lang].failed));
      const retry = make("button", "retry", T[lang].retry);
      retry.type = "button";
      meta.append(retry);
    }
  }

  /** Insert a stored message so the log stays in seq order, above any still-pending bubbles. */
  function place(li, seq) {
    let before = el.log.querySelector(".msg.pending, .msg.failed");
    if (seq < maxSeq) {
      for (const other of el.log.children) {
        if (other.dataset.seq && Number(other.dataset.seq) > seq) { before = other; break; }
      }
    }
    el.log.insertBefore(li, before);
  }

  /** Only the newest set of quick replies stays, and only until the person answers (a press or a
   * typed message): a menu left under the name or ID question would answer the wrong question. */
  function syncQuickReplies() {
    const groups = [...el.log.querySelectorAll(".quick")];
    const focusLost = document.activeElement && document.activeElement.closest(".quick");
    const newest = groups[groups.length - 1];
    let live = null;
    if (newest) {
      live = newest;
      for (let node = newest.closest("li").nextElementSibling; node; node = node.nextElementSibling) {
        if (node.classList.contains("msg-me")) { live = null; break; }
      }
    }
    for (const group of groups) {
      group.hidden = group !== live;
      for (const b of group.querySelectorAll("button")) b.disabled = group !== live;
    }
    if (focusLost && live && focusLost !== live) {
      const first = live.querySelector("button");
      if (first) first.focus({ preventScroll: true });
    }
  }

  /** Phones show the right keyboard for the field a flow is waiting for (phone, ID number…). */
  const INPUT_MODES = { phone: "tel", national_id: "numeric", digits: "numeric", number: "numeric", email: "email" };
  function applyExpect(expect) {
    el.input.inputMode = (expect && INPUT_MODES[expect.type]) || "text";
    askingForFile = Boolean(expect && expect.type === "attachment");
    syncAttach();
  }

  // ---- files -----------------------------------------------------------------------------
  // The attach button shows where a file is wanted: a form field that asks for one, or an
  // officer holding the conversation (who may ask for a report or a photo).
  let askingForFile = false;
  let officerHolds = false;
  function syncAttach() {
    el.attach.hidden = !(askingForFile || officerHolds);
  }

  const fileLabel = (files) => files.map((f) => `📎 ${(f && f.filename) || T[lang].file}`).join("\n");

  async function uploadFile(file) {
    const li = bubble({ direction: "in", author: "beneficiary", text: fileLabel([{ filename: file.name }]) });
    markState(li, "pending");
    el.log.append(li);
    scrollDown();
    let answer = null;
    let ok = false;
    try {
      const resp = await fetch(`/chat/${encodeURIComponent(slug)}/upload?visitor=${visitor}&lang=${lang}`, {
        method: "POST", body: file, headers: { "X-Filename": encodeURIComponent(file.name) },
      });
      ok = resp.ok;
      answer = await resp.json();
    } catch { /* offline: said below */ }
    li.remove();
    if (!ok || !answer || typeof answer.id !== "string") {
      notice(String((answer && answer.text) || T[lang].uploadFailed), "error");
      return;
    }
    submit({ text: "", attachments: [answer.id], label: fileLabel([answer]) });
  }

  function showStored(m) {
    if (typeof m.seq !== "number" || shown.has(m.seq)) return;
    let li;
    const mine = m.client_id ? pending.get(m.client_id) : null;
    if (mine) {
      pending.delete(m.client_id);
      li = mine.li;
      markState(li, "sent");
      li.remove();
    } else {
      let text = m.direction === "in" && labels.has(m.text) ? labels.get(m.text) : m.text;
      if (Array.isArray(m.attachments) && m.attachments.length && !text) text = fileLabel(m.attachments);
      li = bubble({ ...m, text });
    }
    li.dataset.seq = String(m.seq);
    place(li, m.seq);
    shown.set(m.seq, li);
    maxSeq = Math.max(maxSeq, m.seq);
    el.intro.hidden = true;
  }

  function notice(text, kind) {
    const li = make("li", `notice notice-${kind}`);
    const span = make("span", "", text);
    span.dir = "auto";
    li.append(span);
    el.log.append(li);
    el.intro.hidden = true;
    scrollDown();
  }

  function nearBottom() {
    const t = el.thread;
    return t.scrollHeight - t.scrollTop - t.clientHeight < 120;
  }

  // Was the reader at the bottom *before* the newest content went in? Kept by the scroll events
  // (the reader's own scrolling), not measured after adding a bubble: a bubble taller than the
  // slack would otherwise make every later reply land below the screen.
  let pinned = true;
  el.thread.addEventListener("scroll", () => {
    pinned = nearBottom();
    if (pinned) el.newer.hidden = true;
  }, { passive: true });

  function scrollDown() {
    el.thread.scrollTop = el.thread.scrollHeight;
    pinned = true;
    el.newer.hidden = true;
  }

  /** After adding content: follow it if the reader was at the bottom, else offer a marker. */
  function follow(wasPinned) {
    if (wasPinned) scrollDown();
    else el.newer.hidden = false;
  }

  // ---- sending ---------------------------------------------------------------------------
  function trySend(p) {
    if (!ready || !ws || ws.readyState !== WebSocket.OPEN) return;
    ws.send(JSON.stringify(p.frame));
    p.state = "sent";
    setTyping(true);
  }

  function submit({ text, value, label, attachments }) {
    const id = `c${randomHex(10)}`;
    const frame = value === undefined ? { type: "message", text, id } : { type: "button", value, id };
    if (attachments) frame.attachments = attachments;
    const li = bubble({ direction: "in", author: "beneficiary", text: label ?? text });
    li.dataset.cid = id;
    markState(li, "pending");
    el.log.append(li);
    el.intro.hidden = true;
    const p = { frame, li, state: "queued" };
    pending.set(id, p);
    trySend(p);
    syncQuickReplies();
    scrollDown();
  }

  /** An error or rate-limit frame answers the oldest message still awaiting its echo. */
  function failOldest() {
    for (const p of pending.values()) {
      if (p.state === "sent") {
        p.state = "failed";
        markState(p.li, "failed");
        return;
      }
    }
  }

  function sendTyped() {
    const text = el.input.value;
    if (!text.trim()) return;
    submit({ text: text.slice(0, maxChars) });
    el.input.value = "";
    autosize();
  }

  // ---- the socket ------------------------------------------------------------------------
  function onFrame(f) {
    switch (f.type) {
      case "welcome": {
        attempt = 0;
        setStatus("connected");
        officerHolds = f.status === "human";
        syncAttach();
        if (typeof f.visitor === "string" && /^[a-f0-9]{32}$/.test(f.visitor) && f.visitor !== visitor) {
          visitor = f.visitor;
          store.set(VISITOR_KEY, visitor);
        }
        const switching = [...pending.values()].some((p) => String(p.frame.value || "").startsWith("lang:"));
        if ((f.lang === "ar" || f.lang === "en") && f.lang !== lang && !switching) setLang(f.lang);
        if (Number.isInteger(f.max_chars) && f.max_chars > 0) {
          maxChars = f.max_chars;
          el.input.maxLength = maxChars;
        }
        break;
      }
      case "history": {
        const messages = Array.isArray(f.messages) ? f.messages : [];
        for (const m of messages) showStored(m);
        const lastOut = messages.filter((m) => m.direction === "out").pop();
        if (lastOut) applyExpect(lastOut.expect);
        syncQuickReplies();
        ready = true;
        el.intro.hidden = el.log.children.length > 0;
        for (const p of pending.values()) if (p.state !== "failed") trySend(p);
        scrollDown();
        break;
      }
      case "message":
        showStored({ ...f, direction: "in", author: "beneficiary" });
        syncQuickReplies();
        scrollDown();
        break;
      case "reply": {
        const stick = pinned;
        showStored({ ...f, direction: "out" });
        applyExpect(f.expect);
        // The page follows the conversation's language as the server states it on each reply
        // (never a guess from one message's letters); older stored replies carry none, and then
        // the main menu, which always offers the *other* language, tells.
        if (f.lang === "ar" || f.lang === "en") {
          if (f.lang !== lang) setLang(f.lang);
        } else {
          const values = (f.buttons || []).map((b) => b && b.value);
          if (values.includes("lang:ar") && lang !== "en") setLang("en");
          else if (values.includes("lang:en") && lang !== "ar") setLang("ar");
        }
        syncQuickReplies();
        follow(stick);
        break;
      }
      case "turn_end":
        setTyping(false);
        if (typeof f.status === "string") { officerHolds = f.status === "human"; syncAttach(); }
        break;
      case "duplicate": {
        const p = pending.get(f.client_id);
        if (p) { pending.delete(f.client_id); markState(p.li, "sent"); }
        setTyping(false);
        break;
      }
      case "rate_limited":
      case "error":
        failOldest();
        setTyping(false);
        if (f.text) notice(String(f.text), f.type === "error" ? "error" : "wait");
        break;
      case "closing":
        // the server is stopping (a restart or a deploy): say so now, not when the socket times out
        setStatus("reconnecting");
        ready = false;
        break;
      default:
        break; // pong and anything newer than this page
    }
  }

  function connect() {
    clearTimeout(retryTimer);
    retryTimer = 0;
    setStatus(attempt ? "reconnecting" : "connecting");
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const url = `${proto}//${location.host}/chat/${encodeURIComponent(slug)}/ws?visitor=${visitor}&since=${maxSeq}`;
    let sock;
    try {
      sock = new WebSocket(url);
    } catch {
      scheduleReconnect();
      return;
    }
    ws = sock;
    ready = false;
    lastFrameAt = Date.now();
    sock.onmessage = (event) => {
      if (ws !== sock) return;
      lastFrameAt = Date.now();
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      if (frame && typeof frame === "object") onFrame(frame);
    };
    sock.onclose = () => { if (ws === sock) dropped(); };
  }

  function dropped() {
    const sock = ws;
    ws = null;
    ready = false;
    if (sock) {
      sock.onmessage = sock.onclose = null;
      try { sock.close(); } catch { /* already closed */ }
    }
    for (const p of pending.values()) if (p.state === "sent") p.state = "queued";
    setTyping(false);
    if (!shown.size && !pending.size) el.intro.hidden = false;
    scheduleReconnect();
  }

  function scheduleReconnect() {
    attempt += 1;
    const base = Math.min(10000, 500 * 2 ** (attempt - 1));
    const delay = Math.min(10000, base * (0.8 + Math.random() * 0.4));
    setStatus("reconnecting");
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, delay);
  }

  function reconnectNow() {
    if (!ws && retryTimer) connect();
  }

  // Keep-alive: mobile networks drop sockets silently; a ping every 25 s finds out.
  setInterval(() => {
    if (!ws || !ready) return;
    if (Date.now() - lastFrameAt > 60000) { dropped(); return; }
    ws.send('{"type":"ping"}');
  }, 25000);

  // ---- input -----------------------------------------------------------------------------
  function autosize() {
    el.input.style.height = "auto";
    el.input.style.height = `${Math.min(el.input.scrollHeight, 140)}px`;
    const len = el.input.value.length;
    el.counter.hidden = len < maxChars * 0.8;
    el.counter.textContent = `${len} / ${maxChars}`;
  }

  el.form.addEventListener("submit", (event) => {
    event.preventDefault();
    sendTyped();
  });
  el.input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendTyped();
    }
  });
  el.input.addEventListener("input", autosize);

  el.log.addEventListener("click", (event) => {
    const target = event.target.closest("button");
    if (!target) return;
    if (target.classList.contains("qr")) {
      if (target.disabled || target.closest(".quick").hidden) return;
      submit({ value: target.dataset.value, label: target.textContent });
    } else if (target.classList.contains("retry")) {
      const li = target.closest("li");
      const p = pending.get(li.dataset.cid);
      if (!p) return;
      p.state = "queued";
      markState(li, "pending");
      trySend(p);
    }
  });

  el.toggle.addEventListener("click", () => {
    const next = lang === "ar" ? "en" : "ar";
    const label = T[lang].toggle;
    setLang(next);
    submit({ value: `lang:${next}`, label });
  });

  el.start.addEventListener("click", () => submit({ text: T[lang].hello }));
  el.attach.addEventListener("click", () => el.file.click());
  el.file.addEventListener("change", () => {
    const file = el.file.files && el.file.files[0];
    el.file.value = "";
    if (file) uploadFile(file);
  });
  el.newer.addEventListener("click", () => scrollDown());

  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) reconnectNow(); });

  setLang(lang);
  connect();
})();
