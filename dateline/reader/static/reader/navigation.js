/* Moving around the coverage: links to a post land on it, and Page Down / Page Up move between posts. */
import { byId } from "./dom.js";

// Our links are ?post=<id>#post-<id>: the server opens the page showing the post (docs/reader.md). A bare
// #post-<id> (the contract's form, JSON-LD urls, older links) misses once the post has left page 1, and the
// server never sees a fragment: so ask with ?post=. Never twice: a deleted post's link stays on the live page.
export function landOnPosts(base) {
  const find = () => {
    const m = /^#post-(\d+)$/.exec(location.hash);
    if (m && !byId("post-" + m[1]) && !/[?&]post=/.test(location.search)) location.replace(base + "?post=" + m[1] + m[0]);
  };
  find();
  window.addEventListener("hashchange", find);
}

// A ?post= link to a post this page already shows (a key point's "Read more") just scrolls: no reload.
export function scrollToShownPosts() {
  document.addEventListener("click", (e) => {
    const a = e.target.closest && e.target.closest("a[href*=\"?post=\"]");
    if (!a || e.button || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    if (a.pathname === location.pathname && /^#post-\d+$/.test(a.hash) && byId(a.hash.slice(1))) {
      e.preventDefault();
      location.hash = a.hash;
    }
  });
}

// The ARIA feed pattern's keys (WAI-ARIA APG): with focus in a post, Page Down / Page Up move focus to the next /
// previous post (posts have tabindex="-1": focusable by script, not 20 more Tab stops). At either end the key keeps
// its usual scrolling. Works on every page with a feed, live or not.
export function feedKeys(feed) {
  feed.addEventListener("keydown", (e) => {
    const down = e.key === "PageDown";
    if (!down && e.key !== "PageUp" || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    let to = e.target.closest && e.target.closest("#posts > article");
    do { to = to && (down ? to.nextElementSibling : to.previousElementSibling); } while (to && to.tagName !== "ARTICLE");
    if (!to) return;
    e.preventDefault();
    to.scrollIntoView({ block: "start" });
    to.focus({ preventScroll: true });
  });
}
