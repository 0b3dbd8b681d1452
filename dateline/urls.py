from django.conf import settings
from django.urls import include, path
from django.views.static import serve

from dateline.api.urls import api
from dateline.health import healthz

handler500 = "dateline.health.server_error"  # an exhausted connection pool is 503 with Retry-After, not 500

urlpatterns = [
    path("api/v1/", api.urls),
    path("healthz", healthz, name="healthz"),
    path("newsroom/", include("dateline.newsroom.urls")),
    path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
    path("", include("dateline.reader.urls")),
]
