"""Administration: organisations, users, roles, memberships, assignments; the audit log."""

urlpatterns: list = []
