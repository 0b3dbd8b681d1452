from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dateline.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"
