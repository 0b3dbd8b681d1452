"""Sign in and out: Django's auth views, styled, with the rate-limited form."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views

from dateline.newsroom.assets import asset_url
from dateline.newsroom.forms import SignInForm


class SignInView(auth_views.LoginView):
    template_name = "newsroom/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "css_url": asset_url("newsroom", "newsroom.css")}


class SignOutView(auth_views.LogoutView):
    # Django's LogoutView only accepts POST (a link could sign people out from another site); the form has CSRF.
    next_page = "newsroom:login"
