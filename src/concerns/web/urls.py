from django.urls import include, path

urlpatterns = [
    path("casework/", include("concerns.web.casework.urls")),
    path("", include("concerns.web.portal.urls")),
]
