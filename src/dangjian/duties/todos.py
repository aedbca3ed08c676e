"""责任体系 in the home page's to-do list (core.todos): one's 责任状 tasks due this week or overdue."""

from dangjian.core.todos import Todo

from .models import LetterTask, TaskStatus


def my_todos(user, today, until) -> list[Todo]:
    tasks = (LetterTask.objects.visible_to(user).filter(owner__user=user, deadline__lte=until)
             .exclude(status=TaskStatus.DONE).order_by("deadline"))
    return [Todo(t.deadline, f"责任状任务：{t.title}", f"/duties/tasks/{t.pk}/") for t in tasks]
