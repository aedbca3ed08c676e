from dangjian.core.navigation import menu_for
from dangjian.core.notify import unread_count


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_menu": menu_for(user, request.path), "unread_notifications": unread_count(user)}
