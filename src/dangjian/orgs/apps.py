from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    verbose_name = "组织与人员"

    def ready(self):
        from dangjian.core import action_labels, audit, scope

        from . import figures  # noqa: F401  (registers this module's figures)
        from .models import Org, Person, Position
        from .services import do_restore_person, do_restore_position

        scope.provide_tree_roots(lambda: list(Org.get_root_nodes().values_list("path", flat=True)))
        # restoring a person also moves the member counts it changes; a position is checked as a new one is
        # (the checks other modules register); an org is put back as it was
        audit.register_restorer(Person, do_restore_person)
        audit.register_restorer(Org)
        audit.register_restorer(Position, do_restore_position)
        action_labels.register({
            "org.create": "新建组织", "org.update": "修改组织", "org.counts_repair": "修复人数统计",
            "person.create": "新增人员", "person.update": "修改人员信息", "person.import": "导入花名册",
            "position.create": "任职", "position.end": "免职", "position.update": "修改职务"})
