from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "concerns.web.portal"
    label = "portal"
    verbose_name = "Report portal"

    def ready(self) -> None:
        from concerns.web.portal import rules, signals  # noqa: F401  (register scope rules and audit hooks)
