"""Reports: reading, downloading, discussions, objectives, requests; the insights team's upload → publish path."""

from django.urls import path

from concerns.web.portal.views import discussions, insights, objectives, reports, requests

urlpatterns = [
    path("reports/", reports.report_list, name="reports"),
    path("reports/<int:pk>/", reports.report_detail, name="report"),
    path("reports/<int:pk>/read/", reports.report_html, name="report_html"),
    path("reports/<int:pk>/download/<str:fmt>/", reports.report_download, name="report_download"),
    path("reports/<int:pk>/publish/", insights.report_publish, name="report_publish"),
    path("reports/<int:pk>/discussions/new/", discussions.discussion_new, name="discussion_new"),
    path("discussions/", discussions.discussion_list, name="discussions"),
    path("discussions/<int:pk>/", discussions.discussion_detail, name="discussion"),
    path("actions/", discussions.action_list, name="actions"),
    path("actions/<int:pk>/done/", discussions.action_done, name="action_done"),
    path(
        "reports/<int:pk>/objectives/<slug:comparison>/adopt/",
        objectives.objective_adopt,
        name="objective_adopt",
    ),
    path("objectives/", objectives.objective_list, name="objectives"),
    path("objectives/<int:pk>/edit/", objectives.objective_edit, name="objective_edit"),
    path("requests/", requests.request_list, name="report_requests"),
    path("requests/<int:pk>/decide/", requests.request_decide, name="report_request_decide"),
    path("uploads/", insights.upload_list, name="uploads"),
    path("uploads/<int:pk>/", insights.upload_detail, name="upload"),
    path("uploads/<int:pk>/rejects.csv", insights.upload_rejects, name="upload_rejects"),
    path("uploads/<int:pk>/generate/", insights.batch_new, name="batch_new"),
    path("batches/", insights.batch_list, name="batches"),
    path("batches/<int:pk>/", insights.batch_detail, name="batch"),
    path("batches/<int:pk>/publish/", insights.batch_publish, name="batch_publish"),
]
