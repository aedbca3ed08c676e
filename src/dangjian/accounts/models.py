"""Accounts (账号), role assignments on the org tree (授权) and API tokens."""

import base64
import datetime
import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_otp.models import Device
from django_otp.oath import TOTP

from dangjian.core import rule_settings
from dangjian.core.crypto import blind_index
from dangjian.core.fields import EncryptedTextField
from dangjian.core.scope import grants_with, path_condition

from .roles import CAPABILITIES, Role

TOTP_STEP, TOTP_DIGITS = 30, 6


class UserQuerySet(models.QuerySet):
    def visible_to(self, viewer, capability: str = "account.view"):
        """Accounts the viewer administers: one of the account's grants, or the unit of the person
        linked to it, lies where the viewer holds ``capability`` — one SQL condition of EXISTS
        subqueries built like core.scope's, never a list of ids."""
        if not grants_with(viewer, capability):
            return self.none()
        grants = RoleAssignment.objects.filter(user=OuterRef("pk")).filter(
            path_condition(viewer, capability, ("org__path",)))
        # the linked person (one at most: a one-to-one) through its reverse relation, so that accounts
        # needs nothing from orgs
        return self.filter(Exists(grants) | path_condition(viewer, capability, ("person__org_path",)))
    def holding(self, capability: str):
        """Active accounts with a role that carries ``capability`` somewhere (whom a periodic check tells)."""
        roles = [role for role, caps in CAPABILITIES.items() if capability in caps]
        return self.filter(is_active=True, pk__in=RoleAssignment.objects.filter(role__in=roles).values("user_id"))


class AccountManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A log-in account. Signs in by username or phone; linked to a Person for their own records."""

    phone = EncryptedTextField("手机号", null=True, blank=True)
    phone_index = models.CharField("手机号索引", max_length=64, unique=True, null=True, blank=True, editable=False)
    full_name = models.CharField("姓名", max_length=50, blank=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    must_change_password = models.BooleanField("须修改密码", default=False)
    notify_by_email = models.BooleanField("通知同时发送邮件", default=True)

    objects = AccountManager()

    class Meta:
        verbose_name = verbose_name_plural = "账号"

    def save(self, *args, **kwargs):
        self.phone_index = blind_index(self.phone) or None
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "phone_index"}
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.full_name or self.username

    def __str__(self):
        return self.full_name or self.username


class RoleAssignmentQuerySet(models.QuerySet):
    def visible_to(self, viewer, capability: str = "role.assign"):
        """Grants on the nodes where the viewer holds ``capability``."""
        return self.filter(path_condition(viewer, capability, ("org__path",)))

    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(valid_from__lte=on) | Q(valid_from__isnull=True)).filter(
            Q(valid_to__gte=on) | Q(valid_to__isnull=True)
        )

    def grant_rows(self, user_id: int):
        """A user's current grants as the rows core.scope builds its ``Grant``s from."""
        return self.current().filter(user_id=user_id).values_list("role", "org_id", "org__path", "include_subtree")


class RoleAssignment(models.Model):
    """授权: a role held on an org node, optionally covering its subtree, for a period."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name="账号")
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="组织")
    include_subtree = models.BooleanField("含下级组织", default=True)
    valid_from = models.DateField("起始日期", null=True, blank=True)
    valid_to = models.DateField("终止日期", null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "角色授权"
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.org}{'（含下级）' if self.include_subtree else ''}"


class ApiToken(models.Model):
    """A bearer token for the REST API; only its SHA-256 is stored. It lapses at ``expires_at``
    (the rule security.api_token_days at issue) and can be revoked; a lapsed token is never deleted,
    so that the audit trail can still name it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="账号")
    name = models.CharField("名称", max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    expires_at = models.DateTimeField("有效期至", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"

    def __str__(self):
        return f"{self.user} · {self.name}"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name: str) -> tuple["ApiToken", str]:
        """A new token and its key (shown once); valid for the days the rule sets."""

        key = "dj_" + secrets.token_urlsafe(32)
        expires_at = timezone.now() + datetime.timedelta(days=rule_settings.get("security.api_token_days"))
        return cls.objects.create(user=user, name=name, key_hash=cls.hash_key(key), expires_at=expires_at), key

    @classmethod
    def live(cls):
        """Tokens that authenticate now: not revoked, not lapsed."""
        return cls.objects.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "已吊销"
        if self.expires_at and self.expires_at <= timezone.now():
            return "已过期"
        return "有效"


class PasswordHistory(models.Model):
    """The hashes of an account's last passwords (HISTORY_LENGTH), so that none of them is chosen again."""

    HISTORY_LENGTH = 5

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history", verbose_name="账号")
    password = models.CharField("密码（哈希）", max_length=128)
    set_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "密码历史"
        ordering = ["-set_at", "-id"]

    def __str__(self):
        return f"{self.user} · {self.set_at:%Y-%m-%d}"

    @classmethod
    def remember(cls, user) -> None:
        """Keep the account's current hash; drop those beyond the last HISTORY_LENGTH."""
        if not user.has_usable_password():
            return
        cls.objects.create(user=user, password=user.password)
        stale = cls.objects.filter(user=user).values_list("pk", flat=True)[cls.HISTORY_LENGTH:]
        cls.objects.filter(pk__in=list(stale)).delete()


class TotpDevice(Device):
    """动态口令: a TOTP authenticator (RFC 6238) as a django-otp device, checked by django-otp's
    RFC 6238 code. Not otp_totp's TOTPDevice, which keeps its key in clear: here the secret is
    stored SM4-encrypted and re-encrypted by rotate_keys (docs/security.md, 身份鉴别 d)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device", verbose_name="账号")
    secret = EncryptedTextField("密钥")  # base32, as the authenticator app is given it
    confirmed_at = models.DateTimeField("启用时间", null=True, blank=True)
    last_step = models.BigIntegerField("最近使用的时间片", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "动态口令设备"

    def __str__(self):
        return f"{self.user} 的动态口令"

    def matching_step(self, token: str) -> int | None:
        """The time step (within ±1 of now, and after the last one used) whose code is ``token``."""
        token = (token or "").strip().replace(" ", "")
        if not (token.isdigit() and len(token) == TOTP_DIGITS):
            return None
        totp = TOTP(base64.b32decode(self.secret), step=TOTP_STEP, digits=TOTP_DIGITS)
        if not totp.verify(int(token), tolerance=1, min_t=self.last_step + 1):
            return None
        return totp.t()

    def verify_token(self, token) -> bool:
        """Accept a code once: its step becomes the last used, so it and every earlier one are refused."""
        step = self.matching_step(token)
        if step is None:
            return False
        self.last_step = step
        self.save(update_fields=["last_step"])
        return True
