from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    verbose_name = "组织与人员"

    def ready(self):
        from dangjian.core import audit, scope

        from .models import Org, Person
        from .services import do_restore_person

        scope.provide_tree_roots(lambda: list(Org.get_root_nodes().values_list("path", flat=True)))
        # restoring a person also moves the member counts it changes
        audit.register_restorer(Person, do_restore_person)
