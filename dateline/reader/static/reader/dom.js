/* Small DOM helpers the reader's modules share. */

export function byId(id) { return document.getElementById(id); }

export function each(list, fn) { Array.prototype.forEach.call(list, fn); }

// A fragment from the server (a post, the header, the key points) as nodes, not yet in the page.
export function parse(html) {
  const t = document.createElement("template");
  t.innerHTML = (html || "").trim();
  return t.content;
}

export function plural(n, one) { return n + " " + one + (n === 1 ? "" : "s"); }

// The posts directly in a container (#posts or #pinned), in page order.
export function articles(container) {
  return Array.prototype.filter.call(container.children, (n) => n.tagName === "ARTICLE");
}
