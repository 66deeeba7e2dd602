from django.urls import path

from concerns.web.casework.views import cases, checks, records, sars

app_name = "casework"
urlpatterns = [
    path("", cases.home, name="home"),
    path("cases/", cases.case_list, name="cases"),
    path("cases/new/", cases.case_new, name="case_new"),
    path("cases/<int:pk>/", cases.case_detail, name="case"),
    path("cases/<int:pk>/change/", cases.case_edit, name="case_edit"),
    path("practitioners/<int:pk>/", cases.practitioner_detail, name="practitioner"),
    path("practitioners/<int:pk>/identity/", cases.practitioner_identity, name="identity"),
    path("practitioners/<int:pk>/identity/change/", cases.identity_edit, name="identity_edit"),
    path("registration-checks/", checks.check_list, name="checks"),
    path("registration-checks/<int:pk>/", checks.check_detail, name="check"),
    path("measures/", cases.service_measures, name="measures"),
    path("records/<slug:kind>/new/<int:parent>/", records.record_new, name="record_new"),
    path("records/<slug:kind>/<int:pk>/", records.record_edit, name="record_edit"),
    path("subject-access/", sars.sar_list, name="sars"),
    path("subject-access/new/", sars.sar_new, name="sar_new"),
    path("subject-access/<int:pk>/", sars.sar_detail, name="sar"),
    path("subject-access/<int:pk>/change/", sars.sar_edit, name="sar_edit"),
    path("subject-access/<int:pk>/pack.<str:file_type>", sars.sar_pack, name="sar_pack"),
]
