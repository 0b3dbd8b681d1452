from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


class CoverageConfig(AppConfig):
    name = "dateline.coverage"
    label = "coverage"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        checks.register(check_oembed_providers)


def check_oembed_providers(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A wrong DATELINE_OEMBED_PROVIDERS(_EXTRA) stops ``dateline serve`` at start, not every page at request time."""
    from dateline.coverage import embeds

    try:
        embeds.providers()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="dateline.E001")]
    return []
