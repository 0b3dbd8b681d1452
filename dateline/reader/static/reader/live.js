/* Dateline reader: keeps a server-rendered live page current. Native ES modules, no framework, no build step.
 * The page works without this script; with it, the reader page, the share page and the embed widget get:
 * enhancements of the posts (enhance.js, times.js), links that land on posts and Page Down/Up (navigation.js), the
 * embed's height for its host page (frame.js), and on live pages the stream (stream.js, shared with the newsroom
 * desk) applied to the page (apply.js, feed.js), new posts held while the reader is scrolled down (pending.js),
 * announcements (announce.js) and "Load more" (more.js). Each module says why it does what it does. */
import { createApplier } from "./apply.js";
import { byId } from "./dom.js";
import { enhance, handleCopyLinks } from "./enhance.js";
import { createFeed } from "./feed.js";
import { reportHeight } from "./frame.js";
import { loadMoreByFetch } from "./more.js";
import { feedKeys, landOnPosts, scrollToShownPosts } from "./navigation.js";
import { createPending } from "./pending.js";
import { follow } from "./stream.js";
import { keepTimesCurrent } from "./times.js";

function start() {
  const main = document.querySelector("main[data-slug]");
  if (!main) return;
  const slug = main.getAttribute("data-slug");
  const base = "/live/" + slug + "/";
  const embedded = main.hasAttribute("data-embed");

  handleCopyLinks();
  enhance(document);
  keepTimesCurrent();
  if (embedded) reportHeight();

  const posts = byId("posts");
  if (posts && !embedded) landOnPosts(base);
  scrollToShownPosts();
  if (posts) feedKeys(posts);
  if (!posts || !main.hasAttribute("data-live")) return;

  const feed = createFeed(main);
  const pending = createPending(feed);
  loadMoreByFetch(base, feed, pending);
  feed.renumber();
  follow({ slug, seq: parseInt(main.getAttribute("data-seq"), 10) || 0, apply: createApplier(main, feed, pending) });
}

start();
