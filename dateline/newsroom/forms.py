"""Forms only parse what a browser sends; the actions validate it (so the newsroom and the API agree on the rules)
and their field errors are shown next to the fields here."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from dateline.coverage import limits
from dateline.coverage.errors import ActionError
from dateline.coverage.models import Post
from dateline.newsroom import ratelimit


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refusing to even check a password once a username+address, an address, or a username
    has failed too often (``ratelimit``)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        ratelimit.PAIR: "Too many failed sign-in attempts for this account from your address. "
                        "Wait 15 minutes and try again, or ask an admin to reset your password.",
        ratelimit.ADDRESS: "Too many failed sign-in attempts from your address. Wait 15 minutes and try again.",
        ratelimit.ACCOUNT: "Too many failed sign-in attempts for this account. Wait 15 minutes and try again, "
                           "or ask an admin: someone else may be trying to guess its password.",
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        ip = ratelimit.client_ip(self.request) if self.request else None
        reason = ratelimit.lockout(username, ip) if username else None
        if reason:
            raise forms.ValidationError(self.error_messages[reason], code=reason)
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                ratelimit.record_failure(username, ip)
            raise
        ratelimit.clear_failures(username, ip)
        return cleaned


# The media actions name the upload "file" and the embed's link "url"; the composer calls them "image", "embed_url".
FIELD_ALIASES = {"file": "image", "url": "embed_url"}


class PostForm(forms.Form):
    headline = forms.CharField(required=False, max_length=limits.MAX_HEADLINE)
    body = forms.CharField(required=False, widget=forms.Textarea)
    tags = forms.CharField(required=False, help_text="Separate tags with commas.")
    update_note = forms.CharField(required=False, max_length=limits.MAX_NOTE)
    verification_note = forms.CharField(required=False, max_length=limits.MAX_NOTE)
    verification = forms.ChoiceField(required=False, choices=Post.Verification.choices)
    publish_at = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                     input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])

    def __init__(self, *args: Any, time_zone: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]

    def clean_publish_at(self) -> datetime | None:
        # A datetime-local input has no offset: it means the blog's local time, which is what the desk shows.
        value = self.cleaned_data["publish_at"]
        if value is None:
            return None
        return value.replace(tzinfo=None).replace(tzinfo=ZoneInfo(self.time_zone))

    def post_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in ("headline", "body", "tags", "update_note", "verification_note",
                                              "verification")}

    def show_action_error(self, error: ActionError) -> None:
        """The action's message at the top; its per-field problems next to the fields they are about."""
        shown = set()
        for name, problem in error.fields.items():
            field = FIELD_ALIASES.get(name, name)
            if field in self.fields:
                self.add_error(field, problem)
                shown.add(problem)
        if error.message not in shown:  # an embed's refusal is one sentence: shown once, next to its field
            self.add_error(None, error.message)


class ComposerForm(PostForm):
    image = forms.FileField(required=False)
    caption = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    credit = forms.CharField(required=False)
    alt = forms.CharField(required=False, label="Alt text")
    # An image already uploaded by an earlier attempt whose post was refused: attached without uploading again.
    media_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    embed_url = forms.CharField(required=False, max_length=limits.MAX_URL, label="Embed a video or social post (URL)")
    # The same for an embed already looked up by an earlier attempt (kept while the link in embed_url is unchanged).
    embed_id = forms.IntegerField(required=False, widget=forms.HiddenInput)


class EditPostForm(PostForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    # An image to add (edit.html's "Add an image"), with its texts; ``media_id`` keeps one uploaded by a refused save.
    # The texts of images already attached are per image (``media-<id>-caption`` …), read by the edit view.
    image = forms.FileField(required=False)
    caption = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    credit = forms.CharField(required=False)
    alt = forms.CharField(required=False, label="Alt text")
    media_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # Published posts only (edit.html shows it for them); the action refuses one on a draft.
    correction = forms.CharField(
        required=False, max_length=limits.MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Say what was wrong and what is right, e.g. “An earlier version of this post misstated the river "
                  "level as 4.2m; it was 2.4m.” Shown at the end of the post and in the corrections log; it cannot be "
                  "taken back. Fix the text above as well.")

