"""Actions: the only code that writes coverage content, one module per verb.

The newsroom, the API, the CLI, the scheduler, the demo loader and importers all call these; nothing else writes.
Each verb checks permission, validates (``validate.py``, with the limits of ``coverage/limits.py``), writes, keeps
a revision and an audit entry, and — when readers see a difference — records exactly one change with the event
class that names it (``core.py``, ``dateline/events.py``). Adding a verb: see docs/architecture.md.
"""

from dateline.coverage.actions.approve import approve_post
from dateline.coverage.actions.blogs import (
    create_blog,
    delete_blog,
    end_blog,
    loaded_from,
    record_load,
    reopen_blog,
    update_blog,
)
from dateline.coverage.actions.correct import correct_post
from dateline.coverage.actions.delete import delete_post, restore_post
from dateline.coverage.actions.edit import edit_post
from dateline.coverage.actions.key_points import set_key_points
from dateline.coverage.actions.media import copy_with_text, create_embed, create_video, link_media, upload_image
from dateline.coverage.actions.patch import PATCH_FIELDS, patch_post
from dateline.coverage.actions.people import create_user, create_user_by_operator, ensure_user, set_active, set_role
from dateline.coverage.actions.pin import pin_post, unpin_post
from dateline.coverage.actions.posts import CREATE_FIELDS, create_post
from dateline.coverage.actions.schedule import publish_scheduled_post, schedule_post
from dateline.coverage.actions.teams import add_member, remove_member, set_team_member
from dateline.coverage.actions.tokens import issue_token, revoke_token
from dateline.coverage.actions.validate import BLOG_FIELDS

__all__ = [
    "BLOG_FIELDS", "CREATE_FIELDS", "PATCH_FIELDS",
    "add_member", "approve_post", "copy_with_text", "correct_post", "create_blog", "create_embed", "create_post",
    "create_user", "create_user_by_operator", "create_video", "delete_blog", "delete_post", "edit_post", "end_blog",
    "ensure_user", "issue_token", "link_media", "loaded_from", "patch_post", "pin_post", "publish_scheduled_post",
    "record_load", "remove_member", "reopen_blog", "restore_post", "revoke_token", "schedule_post", "set_active",
    "set_key_points", "set_role", "set_team_member", "unpin_post", "update_blog", "upload_image",
]
