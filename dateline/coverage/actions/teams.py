"""Blog teams: reporters and contributors work only on the blogs whose team includes them (editors on all).

A blog with no members is open to every reporter and contributor, so a small newsroom needs no set-up; the first
member closes it to everyone else and removing the last one opens it again.
"""

from __future__ import annotations

from dateline.accounts.models import Role, User
from dateline.coverage import permissions as perm
from dateline.coverage.actions.core import audit
from dateline.coverage.errors import ValidationFailed
from dateline.coverage.models import BlogMembership, LiveBlog
from dateline.coverage.permissions import Actor

TEAM_ROLES = frozenset({Role.REPORTER, Role.CONTRIBUTOR})


def add_member(actor: Actor, blog: LiveBlog, user: User) -> BlogMembership:
    """Put a reporter or contributor on a blog's team (editors)."""
    perm.require_editor(actor, "manage a blog's team")
    membership, created = BlogMembership.objects.get_or_create(blog=blog, user=user,
                                                               defaults={"added_by": perm.account(actor)})
    if created:
        audit(actor, "blog.member.add", blog, user=user.username)
    return membership


def remove_member(actor: Actor, blog: LiveBlog, user: User) -> None:
    """Take someone off a blog's team (editors)."""
    perm.require_editor(actor, "manage a blog's team")
    deleted, _ = BlogMembership.objects.filter(blog=blog, user=user).delete()
    if deleted:
        audit(actor, "blog.member.remove", blog, user=user.username)


def set_team_member(actor: Actor, blog: LiveBlog, user: User, member: bool) -> BlogMembership | None:
    """The People page's team switch (admins): on or off a blog's team; editors and admins need no team."""
    perm.require_admin(actor, "manage people")
    if member:
        if user.role not in TEAM_ROLES:
            raise ValidationFailed("Editors and admins work on every blog; teams are for reporters and contributors.",
                                   fields={"blog": "Not needed for this role."})
        return add_member(actor, blog, user)
    remove_member(actor, blog, user)
    return None
