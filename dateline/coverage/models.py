"""The live coverage domain. Nothing outside ``coverage.actions`` writes these models."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models

from dateline.coverage import limits
from dateline.events import Rendition


class Story(models.Model):
    """A story that runs over several days: one live blog per day, linked previous/next."""

    slug = models.SlugField(max_length=limits.MAX_SLUG, unique=True)
    title = models.CharField(max_length=limits.MAX_BLOG_TITLE)

    def __str__(self) -> str:
        return self.title


class Media(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        VIDEO = "video", "Video"
        EMBED = "embed", "Embed"  # a video or social post from an oEmbed provider (coverage/embeds.py)

    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.IMAGE)
    file = models.FileField(upload_to="images/%Y/%m/", blank=True)
    url = models.URLField(max_length=limits.MAX_URL, blank=True, help_text="Video or external source")
    title = models.CharField(max_length=limits.MAX_MEDIA_TITLE, blank=True)
    caption = models.TextField(blank=True)
    credit = models.CharField(max_length=limits.MAX_CREDIT, blank=True)
    alt = models.CharField(max_length=limits.MAX_ALT, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    # Smaller copies of an image for srcset: [{"width", "height", "file"}], narrowest first (coverage/images.py).
    renditions = models.JSONField(default=list, blank=True)
    # Embeds only. The provider's HTML is never stored: only these checked fields, and an https player URL on the
    # provider's allowlist (``frame_src``; empty for script-based posts, which are shown as a link card).
    provider = models.CharField(max_length=limits.MAX_PROVIDER, blank=True)
    author = models.CharField(max_length=limits.MAX_EMBED_AUTHOR, blank=True)
    thumbnail_url = models.URLField(max_length=limits.MAX_FRAME_URL, blank=True)
    frame_src = models.URLField(max_length=limits.MAX_FRAME_URL, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    def rendition_urls(self) -> list[Rendition]:
        return [{"width": r["width"], "height": r["height"], "url": default_storage.url(r["file"])}
                for r in self.renditions]

    @property
    def srcset(self) -> str:
        """``srcset`` for the image: every rendition and the original, by width."""
        if not self.file or not self.renditions:
            return ""
        entries = [f"{r['url']} {r['width']}w" for r in self.rendition_urls()]
        return ", ".join([*entries, f"{self.file.url} {self.width}w"])

    @property
    def duration_display(self) -> str:
        if not self.duration_seconds:
            return ""
        minutes, seconds = divmod(self.duration_seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


class LiveBlog(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        LIVE = "live", "Live"
        ENDED = "ended", "Ended"

    slug = models.SlugField(max_length=limits.MAX_SLUG, unique=True)
    title = models.CharField(max_length=limits.MAX_BLOG_TITLE)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.LIVE)
    coverage_start = models.DateTimeField(null=True, blank=True)
    coverage_end = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=limits.MAX_TIME_ZONE, default="UTC")
    lead_media = models.ForeignKey(Media, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    story = models.ForeignKey(Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="blogs")
    # The latest change's sequence number. Bumped under a row lock by every action, so it is gap-free.
    seq = models.BigIntegerField(default=0)
    key_points_html = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-coverage_start", "-created_at"]

    def __str__(self) -> str:
        return self.title


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        DELETED = "deleted", "Deleted"

    class Verification(models.TextChoices):
        """A label shown on the post: what the newsroom has established about what it reports."""

        NONE = "", "No label"
        VERIFIED = "verified", "Verified"  # checked by the newsroom itself (footage located, documents authenticated)
        UNVERIFIED = "unverified", "Unverified"  # reported by others; not yet independently confirmed
        DISPUTED = "disputed", "Disputed"  # a claim contradicted by other sources or the evidence

    blog = models.ForeignKey(LiveBlog, on_delete=models.CASCADE, related_name="posts")
    headline = models.CharField(max_length=limits.MAX_HEADLINE, blank=True)
    body = models.TextField(blank=True, help_text="Sanitised HTML")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    pinned = models.BooleanField(default=False)
    tags = models.JSONField(default=list, blank=True)
    authors = models.ManyToManyField(settings.AUTH_USER_MODEL, through="PostAuthor", related_name="posts", blank=True)
    media = models.ManyToManyField(Media, through="PostMedia", related_name="posts", blank=True)
    update_note = models.CharField(max_length=limits.MAX_NOTE, blank=True)
    verification_note = models.CharField(max_length=limits.MAX_NOTE, blank=True)
    verification = models.CharField(max_length=12, choices=Verification.choices, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()
    # Bumped by every edit; the API's ETag. A save against an older version is refused, never merged silently.
    version = models.PositiveIntegerField(default=1)
    # The reader-facing fragment, rendered once by the action that last changed the post.
    html = models.TextField(blank=True)
    # A draft with a publish time is scheduled: the scheduler publishes it (actions.publish_scheduled_post) when due.
    # Stored on the row, not in a timer, so a restart loses nothing.
    publish_at = models.DateTimeField(null=True, blank=True)
    # Who set publish_at: the scheduler publishes in their name and with their permissions (an editor scheduling
    # a contributor's draft approves it for that time).
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["blog", "status", "-published_at", "-id"])]

    def __str__(self) -> str:
        return self.headline or f"Post {self.pk}"

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED


class BlogMembership(models.Model):
    """A reporter or contributor on a blog's team. Editors and admins work on every blog without one.

    A blog with no memberships at all is open to every reporter and contributor (how blogs worked before teams).
    """

    blog = models.ForeignKey(LiveBlog, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blog_memberships")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["blog", "user__username"]
        constraints = [models.UniqueConstraint(fields=["blog", "user"], name="unique_blog_member")]


class PostAuthor(models.Model):
    """A byline entry. Ordered: "By A and B" is the order the newsroom chose, not the order users were created."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "coverage_post_authors"  # the table Django made for the plain many-to-many, kept as it was
        ordering = ["position"]
        unique_together = [("post", "user")]


class PostMedia(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    media = models.ForeignKey(Media, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]


class PostRevision(models.Model):
    """A snapshot of a post after every write: history, diffs and restore."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    data = models.JSONField()
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["post", "version"]
        constraints = [models.UniqueConstraint(fields=["post", "version"], name="unique_post_version")]


class Correction(models.Model):
    """A correction published on a post: "An earlier version of this post misstated …", shown with the post and in
    the blog's corrections log. Rows, not a field on the post: a post can be corrected more than once, and the log
    lists every one with its time without reading revisions. Written only by ``actions.correct_post``."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="corrections")
    # Denormalised from the post so the blog's log is one indexed query, not a join through every post.
    blog = models.ForeignKey(LiveBlog, on_delete=models.CASCADE, related_name="corrections")
    note = models.CharField(max_length=limits.MAX_NOTE, help_text="Plain text")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(help_text="The post version that carried the correction")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["blog", "-created_at"])]

    def __str__(self) -> str:
        return self.note


class KeyPoint(models.Model):
    blog = models.ForeignKey(LiveBlog, on_delete=models.CASCADE, related_name="key_points")
    position = models.PositiveSmallIntegerField()
    text = models.TextField(help_text="Inline HTML: strong, em, a")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    url = models.URLField(max_length=limits.MAX_URL, blank=True)

    class Meta:
        ordering = ["blog", "position"]


class Change(models.Model):
    """One reader-visible change to a blog, in the order readers must apply it.

    ``data`` is the event's JSON exactly as it goes on the wire (serialised once, by the action).
    """

    blog = models.ForeignKey(LiveBlog, on_delete=models.CASCADE, related_name="changes")
    seq = models.BigIntegerField()
    type = models.CharField(max_length=32)
    data = models.TextField()
    # What the change is about ("post:<id>", "key_points", "blog"; dateline.events.subject): a newer change about
    # the same subject rewrites this one to its current public form (compaction; coverage/actions/core.py).
    subject = models.CharField(max_length=40, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["blog", "seq"]
        constraints = [models.UniqueConstraint(fields=["blog", "seq"], name="unique_blog_seq")]
        indexes = [models.Index(fields=["blog", "subject", "seq"], name="coverage_change_subject_idx")]
