"""Portal URLs, one module per area so each stays small."""

from django.urls import path

from concerns.web.portal import urls_accounts, urls_manage, urls_reports
from concerns.web.portal.views import home

urlpatterns = [
    path("", home.home, name="home"),
    *urls_accounts.urlpatterns,
    *urls_reports.urlpatterns,
    *urls_manage.urlpatterns,
]
