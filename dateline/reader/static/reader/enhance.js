/* Progressive enhancements of server-rendered posts: a copy-link button per post and relative times. Applied to
 * the page at start and to every post the live stream or "Load more" inserts. */
import { announce } from "./announce.js";
import { each } from "./dom.js";
import { relativeTimes } from "./times.js";

function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  const ta = document.createElement("textarea");
  ta.value = text;
  ta.setAttribute("readonly", "");
  ta.style.position = "fixed";
  ta.style.opacity = "0";
  document.body.appendChild(ta);
  ta.select();
  try { document.execCommand("copy"); } finally { ta.remove(); }
  return Promise.resolve();
}

// The share page has its own button for its post (.share__tools); one per post, not one more in the footer.
const pageCopy = document.querySelector(".share__tools .copy-link");

export function enhance(root) {
  each((root || document).querySelectorAll(".post__footer"), (f) => {
    if (pageCopy || f.querySelector(".copy-link")) return;
    const a = f.querySelector(".post__permalink");
    if (!a) return;
    const b = document.createElement("button");
    b.type = "button";
    b.className = "copy-link";
    b.setAttribute("data-url", new URL(a.getAttribute("href"), location.href).href);
    const ctx = a.querySelector(".visually-hidden");
    b.innerHTML = "Copy link<span class=\"visually-hidden\">" + (ctx ? ctx.innerHTML : "") + "</span>";
    f.appendChild(b);
  });
  each((root || document).querySelectorAll("button.copy-link[hidden]"), (b) => { b.hidden = false; });
  relativeTimes(root);
}

export function handleCopyLinks() {
  document.addEventListener("click", (e) => {
    const b = e.target.closest && e.target.closest("button.copy-link");
    if (!b) return;
    copyText(b.getAttribute("data-url")).then(() => { announce("Link copied"); b.classList.add("is-copied"); },
      () => announce("Could not copy the link"));
  });
}
