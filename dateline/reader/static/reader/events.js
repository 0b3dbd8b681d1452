// Generated from dateline/events.py by `python -m dateline.events`; do not edit.
export const EventType = Object.freeze({
  "POST_PUBLISHED": "post.published",
  "POST_UPDATED": "post.updated",
  "POST_DELETED": "post.deleted",
  "POST_PINNED": "post.pinned",
  "POST_UNPINNED": "post.unpinned",
  "KEY_POINTS_UPDATED": "keypoints.updated",
  "BLOG_UPDATED": "blog.updated",
  "BLOG_ENDED": "blog.ended",
  "RESET": "reset"
});
export const CHANGE_TYPES = Object.freeze(["post.published", "post.updated", "post.pinned", "post.unpinned", "post.deleted", "keypoints.updated", "blog.updated", "blog.ended"]);
