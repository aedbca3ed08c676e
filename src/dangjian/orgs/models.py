"""The org tree (组织), people (人员) with their positions (职务), and live member counts."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from treebeard.mp_tree import MP_Node

from dangjian.core.crypto import blind_index
from dangjian.core.fields import EncryptedTextField
from dangjian.core.ids import birth_date_from_id, gender_from_id, id_number_error, mask_id_number, mask_phone
from dangjian.core.models import ScopedModel
from dangjian.core.scope import ScopedQuerySet, path_condition
from dangjian.core.scope import ancestor_paths as core_ancestor_paths


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", "党委"
    PARTY_GROUP = "party_group", "党组"
    AGENCY = "agency", "机关单位"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    CELL = "cell", "党小组"
    SECTION = "section", "科室"


PARTY_KINDS = {OrgKind.COMMITTEE, OrgKind.PARTY_GROUP, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH, OrgKind.CELL}


class OrgQuerySet(ScopedQuerySet):
    # A bulk change to the tree (treebeard's child counts, a move) starts the global generation of the figure
    # values, as a saved node does: the children of every node are kept under it (core.figures.child_paths).
    path_columns = ()

    def visible_to(self, user, action: str = "view"):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(path_condition(user, f"org.{action}", ("path",)))


class OrgManager(models.Manager.from_queryset(OrgQuerySet)):
    def get_queryset(self):
        return super().get_queryset().order_by("path")


class Org(MP_Node):
    """A node of the one org tree: Party organisations and the agency's sections (科室)."""

    steplen = 4
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    node_order_by = None

    scope_paths = ("path",)
    self_field = None
    scope_capability = "org"

    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True)
    kind = models.CharField("类型", max_length=20, choices=OrgKind.choices)
    code = models.CharField("编码", max_length=40, unique=True)
    order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("有效", default=True)
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    objects = OrgManager()

    class Meta:
        verbose_name = verbose_name_plural = "组织"
        # Level-by-level reads of a subtree (the roster's org picker); on PostgreSQL the path part
        # uses pattern ops so that a path prefix is a range of this index whatever the collation.
        indexes = [models.Index(fields=["depth", "path"], name="orgs_org_depth_path",
                                opclasses=["int4_ops", "varchar_pattern_ops"])]

    def __str__(self):
        return self.name

    @property
    def org_path(self):  # an org is placed in the tree by its own path
        return self.path

    @property
    def is_party_org(self) -> bool:
        return self.kind in PARTY_KINDS

    def ancestor_paths(self) -> list[str]:
        return ancestor_paths(self.path)


def ancestor_paths(path: str) -> list[str]:
    """The paths of a node and of every node above it, the root first."""
    return core_ancestor_paths(path, Org.steplen)


class PartyStatus(models.TextChoices):
    FULL = "full", "正式党员"
    PROBATIONARY = "probationary", "预备党员"
    ACTIVIST = "activist", "入党积极分子"
    MASSES = "masses", "群众"


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Education(models.TextChoices):
    DOCTOR = "doctor", "博士研究生"
    MASTER = "master", "硕士研究生"
    BACHELOR = "bachelor", "大学本科"
    COLLEGE = "college", "大学专科"
    SECONDARY = "secondary", "中专及以下"


def eighteenth_birthday(born: dt.date) -> dt.date:
    try:
        return born.replace(year=born.year + 18)
    except ValueError:  # born on 29 February
        return dt.date(born.year + 18, 3, 1)


BIRTH_FLOOR = dt.date(1900, 1, 1)  # nobody on a roster was born earlier


def _birth_date_problem(born: dt.date, today: dt.date) -> str:
    return "晚于今天" if born > today else "早于1900年"


class PersonQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class Person(ScopedModel):
    """人员: a cadre, worker or Party member. ``org`` is the section (科室) they work in,
    ``branch`` the Party branch they belong to; either places them in a user's scope."""

    scope_paths = ("org_path", "branch_path")
    self_field = "user"
    scope_capability = "person"

    # The path columns get prefix (pattern-ops) indexes only, no plain b-tree (see Meta.indexes):
    # with a plain index on org_path, PostgreSQL answered a roster page (scope OR-condition,
    # ORDER BY org_path, id, LIMIT) by walking the whole index in order, 1.4 s for the last city.
    org_path = models.CharField("组织路径", max_length=255, editable=False)

    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    id_number = EncryptedTextField("居民身份证号")
    id_number_index = models.CharField("身份证号索引", max_length=64, unique=True, editable=False)
    phone = EncryptedTextField("手机号", blank=True)
    phone_index = models.CharField("手机号索引", max_length=64, blank=True, db_index=True, editable=False)
    education = models.CharField("学历", max_length=16, choices=Education.choices, blank=True)
    job_title = models.CharField("职务（职级）", max_length=50, blank=True)
    branch = models.ForeignKey(Org, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name="所在党支部")
    branch_path = models.CharField("党支部路径", max_length=255, blank=True, editable=False)
    party_status = models.CharField("政治面貌", max_length=16, choices=PartyStatus.choices, default=PartyStatus.MASSES)
    joined_party_on = models.DateField("入党日期", null=True, blank=True)
    full_member_on = models.DateField("转正日期", null=True, blank=True)
    activist_since = models.DateField("确定积极分子日期", null=True, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="person", verbose_name="登录账号")
    is_active = models.BooleanField("在职", default=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "人员"
        ordering = ["org_path", "id"]
        indexes = [
            models.Index(fields=["branch_path", "party_status"]),
            models.Index(fields=["org_path"], name="orgs_person_org_path_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["branch_path"], name="orgs_person_branch_path_prefix",
                         opclasses=["varchar_pattern_ops"]),
            # people whose branch is not their unit: the roster's second arm (orgs/paging.py)
            models.Index(fields=["branch_path"], name="orgs_person_split_branch", opclasses=["varchar_pattern_ops"],
                         condition=~models.Q(branch_path=models.F("org_path"))),
        ]

    def __str__(self):
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_birth_date(self) -> str:
        """The year only: beside the masked ID number a full birth date narrows the number down to a
        hundred or so candidates (the masked digits are mostly the birth date)."""
        return f"{self.birth_date.year}年" if self.birth_date else ""

    def derive_from_id(self) -> None:
        """出生日期 and 性别 are written in the ID number (GB 11643): filled from it when not given."""
        number = (self.id_number or "").strip().upper()
        if number and not id_number_error(number):
            self.birth_date = self.birth_date or birth_date_from_id(number)
            self.gender = self.gender or gender_from_id(number)

    @property
    def count_path(self) -> str:
        """Where the person counts in the member figures: their branch, else their unit."""
        return self.branch_path or self.org_path

    def fill_derived(self) -> None:
        """Columns derived from others: the branch path and the blind indexes (bulk paths call this too)."""
        self.branch_path = self.branch.path if self.branch_id else ""
        self.id_number_index = blind_index(self.id_number)
        self.phone_index = blind_index(self.phone)

    def save(self, *args, **kwargs):
        self.fill_derived()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "branch_path", "id_number_index", "phone_index"}
        super().save(*args, **kwargs)

    def validate_unique(self, exclude=None):
        super().validate_unique(exclude)
        self.id_number_index = blind_index(self.id_number)
        if self.id_number and Person.objects.filter(id_number_index=self.id_number_index).exclude(pk=self.pk).exists():
            raise ValidationError({"id_number": "该居民身份证号已存在（已登记过此人）"})

    def clean_fields(self, exclude=None):
        self.derive_from_id()
        super().clean_fields(exclude)

    def clean(self):
        errors = {}
        today, born = timezone.localdate(), None
        if self.id_number:
            self.id_number = self.id_number.strip().upper()
            problem = id_number_error(self.id_number)
            born = None if problem else birth_date_from_id(self.id_number)
            if born and not BIRTH_FLOOR <= born <= today:
                problem = f"中的出生日期（{born:%Y-%m-%d}）{_birth_date_problem(born, today)}"
            if problem:
                errors["id_number"] = f"居民身份证号{problem}"
        if self.birth_date and self.birth_date != born:  # the same date as the ID's: the ID's error says it
            if not BIRTH_FLOOR <= self.birth_date <= today:
                errors["birth_date"] = (f"出生日期（{self.birth_date:%Y-%m-%d}）"
                                        f"{_birth_date_problem(self.birth_date, today)}")
            elif born:
                errors["birth_date"] = (f"出生日期（{self.birth_date:%Y-%m-%d}）与居民身份证号中的出生日期"
                                        f"（{born:%Y-%m-%d}）不符")
        if self.phone and not (self.phone.isdigit() and len(self.phone) == 11 and self.phone.startswith("1")):
            errors["phone"] = "手机号应为以1开头的11位数字"
        if self.branch_id and self.branch.kind not in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.COMMITTEE):
            errors["branch"] = "所在党支部须为党支部、党总支或党委"
        if self.party_status == PartyStatus.MASSES and self.joined_party_on:
            errors["joined_party_on"] = "群众不应填写入党日期"
        if self.party_status in (PartyStatus.FULL, PartyStatus.PROBATIONARY):
            if not self.joined_party_on:
                errors["joined_party_on"] = "党员须填写入党日期"
            if not self.branch_id:
                errors["branch"] = "党员须填写所在党支部"
        if self.joined_party_on and self.birth_date and self.joined_party_on < eighteenth_birthday(self.birth_date):
            errors["joined_party_on"] = "入党时应年满十八周岁"
        if errors:
            raise ValidationError(errors)


class PositionTitle(models.TextChoices):
    SECRETARY = "secretary", "党组书记"
    LEADER = "leader", "班子成员（党组成员）"
    DISCIPLINE_HEAD = "discipline_head", "纪检组长"
    SECTION_HEAD = "section_head", "科室负责人"
    BRANCH_SECRETARY = "branch_secretary", "支部书记"
    BRANCH_DEPUTY = "branch_deputy", "支部副书记"
    ORGANIZATION = "organization", "组织委员"
    PUBLICITY = "publicity", "宣传委员"
    DISCIPLINE = "discipline", "纪检委员"
    CELL_LEADER = "cell_leader", "党小组组长"
    STAFF = "staff", "党务干部"


# 领导班子: the positions of the 党组 whose holders lead an agency (and may be 分管领导 of a matter)
LEADERSHIP_TITLES = (PositionTitle.SECRETARY, PositionTitle.LEADER, PositionTitle.DISCIPLINE_HEAD)


class Position(ScopedModel):
    """职务: a position held in an org for a period; ended positions stay as history."""

    scope_capability = "person"
    scope_paths = ("org_path",)
    self_field = "person__user"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="positions", verbose_name="人员")
    title = models.CharField("职务", max_length=32, choices=PositionTitle.choices)
    start_date = models.DateField("任职日期")
    end_date = models.DateField("免职日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "职务"
        ordering = ["-start_date"]

    def __str__(self):
        return f"{self.person} · {self.org} {self.get_title_display()}"

    def clean(self):
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "免职日期不能早于任职日期"})


class OrgMemberCount(models.Model):
    """Live count of people by Party status in a node's whole subtree (kept by the services).

    Keyed by path so that one person's change touches one row per ancestor, and the figure
    for any node — a branch or the whole province — is a read of at most four rows.
    """

    org_path = models.CharField(max_length=255)
    party_status = models.CharField(max_length=16, choices=PartyStatus.choices)
    count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "人数统计"
        constraints = [models.UniqueConstraint(fields=["org_path", "party_status"], name="uniq_org_member_count")]

    def __str__(self):
        return f"{self.org_path} {self.party_status}: {self.count}"
