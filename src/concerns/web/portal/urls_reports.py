"""Reports: reading, downloading, discussions, requests; the insights team's upload → publish path."""

urlpatterns: list = []
