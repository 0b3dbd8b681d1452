from django.urls import path

from dateline.newsroom import assets
from dateline.newsroom.views import assist, auth, blog, dashboard, desk, history, people, posts

app_name = "newsroom"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("login/", auth.SignInView.as_view(), name="login"),
    path("logout/", auth.SignOutView.as_view(), name="logout"),
    path("static/<str:root>/<path:path>", assets.asset, name="asset"),
    path("audit/", history.audit_log, name="audit"),
    path("blogs/new", dashboard.open_blog, name="open-blog"),
    # Before the blog routes: "people" is a reserved slug (actions.validate.RESERVED_SLUGS) so no desk is shadowed.
    path("people/", people.people, name="people"),
    path("people/<int:user_id>/", people.person, name="person"),
    path("people/<int:user_id>/role", people.change_role, name="person-role"),
    path("people/<int:user_id>/active", people.set_active, name="person-active"),
    path("people/<int:user_id>/teams", people.teams, name="person-teams"),
    path("<slug:slug>/", desk.desk, name="desk"),
    path("<slug:slug>/compose", desk.compose, name="compose"),
    path("<slug:slug>/editing", desk.editing_now, name="editing"),
    path("<slug:slug>/queue", desk.queue, name="queue"),
    path("<slug:slug>/key-points", blog.key_points, name="key-points"),
    path("<slug:slug>/assist/check", assist.check, name="assist-check"),
    path("<slug:slug>/team", blog.team, name="team"),
    path("<slug:slug>/end", blog.end_coverage, name="end"),
    path("<slug:slug>/reopen", blog.reopen_coverage, name="reopen"),
    path("<slug:slug>/posts/<int:post_id>/row", desk.post_row_fragment, name="post-row"),
    path("<slug:slug>/posts/<int:post_id>/edit", posts.edit, name="edit"),
    path("<slug:slug>/posts/<int:post_id>/delete", posts.delete, name="delete"),
    path("<slug:slug>/posts/<int:post_id>/restore", posts.restore, name="restore"),
    path("<slug:slug>/posts/<int:post_id>/pin", posts.pin, name="pin"),
    path("<slug:slug>/posts/<int:post_id>/approve", posts.approve, name="approve"),
    path("<slug:slug>/posts/<int:post_id>/heartbeat", posts.heartbeat, name="heartbeat"),
    path("<slug:slug>/posts/<int:post_id>/history", history.history, name="history"),
    path("<slug:slug>/posts/<int:post_id>/history/<int:version>/restore", history.restore_version,
         name="restore-version"),
]
