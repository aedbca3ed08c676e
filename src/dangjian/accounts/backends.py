from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from dangjian.core.crypto import blind_index

from .models import User


class UsernameOrPhoneBackend(ModelBackend):
    """Log in with either the username or the phone number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        user = User.objects.filter(Q(username=username) | Q(phone_index=blind_index(username))).first()
        if user is None:
            User().set_password(password)  # same work as a real check, so timing does not reveal accounts
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
