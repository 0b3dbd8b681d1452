/* The polite live region (role="status"): "N new posts", "Link copied", "N more posts loaded".
 * An announcement waits 100 ms (the region is emptied first, so a repeated text is read again) and a newer one
 * replaces a waiting one. Posts inserted within that window are summed: a burst of three (one /changes batch, or
 * events arriving together) is "3 new posts", not the last insert's "1 new post". */
import { byId, plural } from "./dom.js";

const DELAY_MS = 100;
let timer, newInWindow = 0;

export function announce(text) {
  const status = byId("live-status");
  if (!status) return;
  clearTimeout(timer);
  newInWindow = 0;
  status.textContent = "";
  timer = setTimeout(() => { status.textContent = text; newInWindow = 0; }, DELAY_MS);
}

export function announceNew(n) {
  const total = newInWindow + n;
  announce(plural(total, "new post"));
  newInWindow = total;
}
