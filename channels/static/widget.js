/* Sila (صلة) chat widget — one script tag on an association's own site:
 *
 *   <script src="https://sila.example/widget.js" data-org="amass" defer></script>
 *
 * adds a round launcher button; pressing it opens the association's web chat in an iframe
 * (served by Sila, which only allows framing from the origins the association configured), and
 * pressing it again (or the × in the panel) closes it. The conversation lives in the iframe, on
 * Sila's side, so it survives reloads of the host page; whether the panel was open is kept in
 * the host page's sessionStorage. Nothing here reads or writes the host page's content.
 */
(() => {
  "use strict";
  const me = document.currentScript;
  if (!me || window.__silaWidget) return;
  window.__silaWidget = true;
  const org = (me.dataset.org || "").toLowerCase();
  if (!/^[a-z][a-z0-9-]{1,30}$/.test(org)) { console.warn("Sila widget: set data-org to the association's slug"); return; }
  const base = new URL(me.src, location.href).origin;
  const ar = (me.dataset.lang || document.documentElement.lang || "ar").slice(0, 2) !== "en";
  const T = ar
    ? { open: "تحدث معنا", close: "إغلاق المحادثة", title: "المحادثة" }
    : { open: "Chat with us", close: "Close the chat", title: "Chat" };
  const KEY = `sila.widget.open.${org}`;
  const side = ar ? "left" : "right";  // the corner opposite the start of reading
  const brand = /^#[0-9a-fA-F]{3,8}$/.test(me.dataset.color || "") ? me.dataset.color : "#0d5c55";

  const css = (node, rules) => { for (const [k, v] of Object.entries(rules)) node.style.setProperty(k, v); return node; };

  const launcher = css(document.createElement("button"), {
    position: "fixed", bottom: "20px", [side]: "20px", width: "60px", height: "60px", "border-radius": "50%",
    border: "0", background: brand, color: "#fff", "box-shadow": "0 4px 14px rgba(0,0,0,.25)", cursor: "pointer",
    "z-index": "2147483646", display: "grid", "place-items": "center", padding: "0",
  });
  launcher.type = "button";
  launcher.id = "sila-launcher";
  launcher.setAttribute("aria-label", T.open);
  launcher.setAttribute("aria-expanded", "false");
  launcher.innerHTML = '<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">'
    + '<path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';

  const panel = css(document.createElement("div"), {
    position: "fixed", bottom: "92px", [side]: "20px", width: "min(380px, calc(100vw - 24px))",
    height: "min(620px, calc(100vh - 120px))", "border-radius": "16px", overflow: "hidden",
    "box-shadow": "0 10px 40px rgba(0,0,0,.3)", background: "#fff", "z-index": "2147483647", display: "none",
    "flex-direction": "column",
  });
  panel.id = "sila-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", T.title);
  // a slim bar of our own above the iframe, so the close button never covers the chat's header
  const bar = css(document.createElement("div"), {
    display: "flex", "justify-content": "flex-end", "align-items": "center", height: "44px", padding: "0 6px",
    background: brand, direction: ar ? "rtl" : "ltr",
  });
  const close = css(document.createElement("button"), {
    width: "40px", height: "40px", border: "0", "border-radius": "50%", background: "transparent", color: "#fff",
    cursor: "pointer", "font-size": "24px", "line-height": "1", padding: "0",
  });
  close.type = "button";
  close.id = "sila-close";
  close.textContent = "×";
  close.setAttribute("aria-label", T.close);
  bar.append(close);
  let frame = null;

  function fitPhone() {
    const phone = window.innerWidth < 520;
    css(panel, phone
      ? { width: "100vw", height: "100dvh", bottom: "0", [side]: "0", "border-radius": "0" }
      : { width: "min(380px, calc(100vw - 24px))", height: "min(620px, calc(100vh - 120px))", bottom: "92px",
          [side]: "20px", "border-radius": "16px" });
  }

  function setOpen(open) {
    if (open && !frame) {
      frame = css(document.createElement("iframe"), { width: "100%", flex: "1", border: "0", display: "block" });
      frame.id = "sila-frame";
      frame.title = T.title;
      frame.src = `${base}/chat/${encodeURIComponent(org)}?embed=1`;
      frame.allow = "clipboard-write";
      panel.append(bar, frame);
    }
    fitPhone();
    panel.style.display = open ? "flex" : "none";
    launcher.setAttribute("aria-expanded", String(open));
    launcher.setAttribute("aria-label", open ? T.close : T.open);
    try { sessionStorage.setItem(KEY, open ? "1" : "0"); } catch { /* storage off: fine */ }
    if (open && frame) frame.focus();
    else if (!open) launcher.focus({ preventScroll: true });
  }

  launcher.addEventListener("click", () => setOpen(panel.style.display === "none"));
  close.addEventListener("click", () => setOpen(false));
  document.addEventListener("keydown", (e) => { if (e.key === "Escape" && panel.style.display !== "none") setOpen(false); });
  window.addEventListener("resize", () => { if (panel.style.display !== "none") fitPhone(); });

  function mount() {
    document.body.append(panel, launcher);
    let wasOpen = false;
    try { wasOpen = sessionStorage.getItem(KEY) === "1"; } catch { /* ignore */ }
    if (wasOpen) setOpen(true);
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
