/* Relative times ("5 minutes ago") beside each post's absolute time, in the reader's browser and language. */
import { each } from "./dom.js";

const rtf = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(undefined, { numeric: "auto" }) : null;

export function ago(date) {
  const s = (date.getTime() - Date.now()) / 1000, a = Math.abs(s);
  if (!rtf) return "";
  if (a < 45) return rtf.format(0, "second").replace(/^in 0 seconds$/, "now");
  if (a < 3600) return rtf.format(Math.round(s / 60), "minute");
  if (a < 86400) return rtf.format(Math.round(s / 3600), "hour");
  return rtf.format(Math.round(s / 86400), "day");
}

export function relativeTimes(root) {
  each((root || document).querySelectorAll("time.post__time"), (t) => {
    const d = new Date(t.getAttribute("datetime"));
    if (isNaN(d)) return;
    let span = t.nextElementSibling;
    if (!span || !span.classList.contains("post__ago")) {
      span = document.createElement("span");
      span.className = "post__ago";
      t.parentNode.insertBefore(span, t.nextSibling);
    }
    span.textContent = ago(d);
    t.title = d.toLocaleString();
  });
}

// Kept current while the page is open: every 30 s is finer than the coarsest unit a reader sees change.
export function keepTimesCurrent() { setInterval(() => relativeTimes(document), 30000); }
