"""Who may do what. Checked inside actions, so the newsroom UI, the API and the CLI agree."""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from dateline.accounts.models import Role, User
from dateline.coverage.errors import Forbidden, NotAuthenticated
from dateline.coverage.models import BlogMembership, LiveBlog, Media, Post, PostMedia

ADMINS = {Role.ADMIN}
EDITORS = {Role.ADMIN, Role.EDITOR}
PUBLISHERS = {Role.ADMIN, Role.EDITOR, Role.REPORTER}

# Who an action runs as: a newsroom account, or a visitor who is not signed in (refused by the checks below).
Actor: TypeAlias = User | AnonymousUser


def role_of(actor: Actor | None) -> str | None:
    """The actor's role, or None for nobody. A deactivated user has none: sign-in and API tokens already refuse
    them, and this also stops what runs in their name later (a post they scheduled is cancelled, not published)."""
    if not isinstance(actor, User) or not actor.is_active:
        return None
    return actor.role


def account(actor: Actor | None) -> User | None:
    """The account behind ``actor`` for the records (audit, revisions), or None when there is none that counts."""
    return actor if isinstance(actor, User) and role_of(actor) else None


def require_user(actor: Actor | None) -> None:
    if role_of(actor) is None:
        raise NotAuthenticated("Sign in or send an API token (Authorization: Bearer <token>).")


def is_editor(actor: Actor | None) -> bool:
    return role_of(actor) in EDITORS


def can_publish(actor: Actor | None) -> bool:
    return role_of(actor) in PUBLISHERS


def owns(actor: Actor | None, post: Post) -> bool:
    if not isinstance(actor, User):
        return False
    return post.created_by_id == actor.pk or post.authors.filter(pk=actor.pk).exists()


def is_admin(actor: Actor | None) -> bool:
    return role_of(actor) in ADMINS


def require_admin(actor: Actor | None, what: str) -> None:
    """Admins manage people (accounts, roles, teams); editors manage content."""
    require_user(actor)
    if not is_admin(actor):
        raise Forbidden(f"Only admins can {what}.")


def require_editor(actor: Actor | None, what: str) -> None:
    require_user(actor)
    if not is_editor(actor):
        raise Forbidden(f"Only editors can {what}.")


def is_on_team(actor: Actor | None, blog: LiveBlog) -> bool:
    """Editors and admins work on every blog; others on blogs whose team they are in, or blogs with no team.

    "No team" keeps blogs created before memberships existed (and small newsrooms that never set teams up) open to
    every reporter and contributor, as they always were.
    """
    user = account(actor)
    if user is None:
        return False
    if user.role in EDITORS:
        return True
    team = BlogMembership.objects.filter(blog_id=blog.pk)
    return not team.exists() or team.filter(user_id=user.pk).exists()


def require_on_team(actor: Actor | None, blog: LiveBlog) -> None:
    require_user(actor)
    if not is_on_team(actor, blog):
        raise Forbidden("You are not on this live blog's team; ask an editor to add you.", code="not_on_team")


def blogs_for(actor: Actor | None) -> QuerySet[LiveBlog]:
    """The blogs ``actor`` may work on, in the same terms as ``is_on_team``."""
    blogs = LiveBlog.objects.all()
    user = account(actor)
    if user is None:
        return blogs.none()
    if user.role in EDITORS:
        return blogs
    return blogs.filter(Q(memberships__user_id=user.pk) | Q(memberships__isnull=True)).distinct()


def require_can_edit(actor: Actor | None, post: Post) -> None:
    """Editors edit anything; reporters their own posts; contributors their own unpublished drafts — on their blogs."""
    require_user(actor)
    role = role_of(actor)
    if role in EDITORS:
        return
    require_on_team(actor, post.blog)
    if role == Role.REPORTER and owns(actor, post):
        return
    if role == Role.CONTRIBUTOR and owns(actor, post) and post.status == Post.Status.DRAFT:
        return
    raise Forbidden("You can only change your own posts." if role != Role.CONTRIBUTOR
                    else "Contributors can only change their own drafts; an editor approves them.")


def can_see_drafts(actor: Actor | None, post: Post) -> bool:
    role = role_of(actor)
    if role in EDITORS:
        return True
    return role is not None and owns(actor, post)


def visible_posts(actor: Actor | None, posts: QuerySet[Post]) -> QuerySet[Post]:
    """``posts`` less the drafts ``actor`` may not see: the query form of ``can_see_drafts`` (editors see every
    draft; others published posts and drafts they filed or are credited on). Deleted posts are the caller's choice."""
    if is_editor(actor):
        return posts
    if role_of(actor) is None:
        return posts.filter(status=Post.Status.PUBLISHED)
    return posts.filter(Q(status=Post.Status.PUBLISHED) | Q(created_by=actor) | Q(authors=actor)).distinct()



def public_media(media: QuerySet[Media]) -> QuerySet[Media]:
    """``media`` less what readers cannot see: the rule for what is public is here alone. Public is what a
    published (not deleted, not draft) post carries, or any blog's lead media (every blog's page is public,
    scheduled ones too)."""
    published = PostMedia.objects.filter(post__status=Post.Status.PUBLISHED).values("media_id")
    lead = LiveBlog.objects.filter(lead_media__isnull=False).values("lead_media_id")
    return media.filter(Q(pk__in=published) | Q(pk__in=lead))


def visible_media(actor: Actor | None, media: QuerySet[Media]) -> QuerySet[Media]:
    """``media`` less what ``actor`` may not see, metadata or file — the media ``require_attachable`` would let them
    attach somewhere: editors see all; others what they uploaded, what a post they filed or are credited on carries,
    and what is public anyway. Nobody signed in sees nothing here (the public files are served without asking)."""
    user = account(actor)
    if user is None:
        return media.none()
    if user.role in EDITORS:
        return media
    own_posts = PostMedia.objects.filter(Q(post__created_by_id=user.pk) | Q(post__authors=user)).values("media_id")
    return media.filter(Q(uploaded_by_id=user.pk) | Q(pk__in=own_posts) | Q(pk__in=public_media(media).values("pk")))
