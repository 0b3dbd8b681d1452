"""Reader-facing URLs (see CONTRACT.md "Reader-facing URLs"). ``/live/<slug>/events`` and ``/changes`` are served
by the live edge (dateline/live), which ``asgi.py`` routes before Django."""

from django.urls import path

from dateline.reader import feeds, oembed, schema, views

urlpatterns = [
    path("", views.index, name="reader-index"),
    path("oembed", oembed.oembed, name="reader-oembed"),
    path("static/reader/<path:path>", views.asset, name="reader-asset"),
    path("live/events.schema.json", schema.events_schema, name="reader-events-schema"),
    path("live/<slug:slug>.json", views.blog_json, name="reader-blog-json"),
    path("live/<slug:slug>/", views.blog_page, name="reader-blog"),
    path("live/<slug:slug>/more", views.more_posts, name="reader-more"),
    path("live/<slug:slug>/embed/", views.embed, name="reader-embed"),
    path("live/<slug:slug>/posts/<int:post_id>/", views.post_page, name="reader-post"),
    path("live/<slug:slug>/corrections/", views.corrections, name="reader-corrections"),
    path("live/<slug:slug>/feed.atom", feeds.atom_feed, name="reader-feed-atom"),
    path("live/<slug:slug>/feed.rss", feeds.rss_feed, name="reader-feed-rss"),
    path("live/<slug:slug>/feed.json", feeds.json_feed_view, name="reader-feed-json"),
]
