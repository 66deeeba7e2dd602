"""Administration: organisations, users, roles, memberships, assignments; the audit log (read-only)."""

from django.urls import path

from concerns.web.portal.views import manage

urlpatterns = [
    path("manage/users/", manage.users, name="users"),
    path("manage/users/new/", manage.user_create, name="user_create"),
    path("manage/users/<int:pk>/", manage.user_detail, name="user_detail"),
    path(
        "manage/users/<int:pk>/two-factor/reset/", manage.user_two_factor_reset, name="user_two_factor_reset"
    ),
    path("manage/users/<int:pk>/memberships/", manage.membership_add, name="membership_add"),
    path(
        "manage/users/<int:pk>/memberships/<int:membership_pk>/remove/",
        manage.membership_remove,
        name="membership_remove",
    ),
    path("manage/users/<int:pk>/assignments/", manage.assignment_add, name="assignment_add"),
    path(
        "manage/users/<int:pk>/assignments/<int:assignment_pk>/remove/",
        manage.assignment_remove,
        name="assignment_remove",
    ),
    path("manage/organisations/", manage.organisations, name="organisations"),
    path("manage/organisations/new/", manage.organisation_create, name="organisation_create"),
    path("manage/organisations/<int:pk>/", manage.organisation_edit, name="organisation_edit"),
    path("audit/", manage.audit, name="audit"),
]
