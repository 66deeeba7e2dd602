from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "concerns.web.casework"
    label = "casework"
    verbose_name = "Casework register"

    def ready(self) -> None:
        from concerns.web.casework import rules  # noqa: F401  (register scope rules)
