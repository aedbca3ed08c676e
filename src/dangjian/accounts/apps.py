from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dangjian.accounts"
    verbose_name = "账号与权限"

    def ready(self):
        from dangjian.core import scope

        from .models import RoleAssignment
        from .roles import role_has

        # core reads the grants and the role table through its ScopeSource (core imports nothing above it)
        scope.provide_grants(RoleAssignment.objects.grant_rows, role_has)
