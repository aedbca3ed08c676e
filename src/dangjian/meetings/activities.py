"""Education activities (传统教育、警示教育): actions, audited and scope-checked like every service."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.models import lock_row
from dangjian.core.uploads import random_name, validate_upload
from dangjian.orgs.models import PartyStatus, Person

from .models import Activity, ActivityPhoto, Participant
from .services.records import require_change

MAX_PHOTO = 10 * 1024 * 1024


def do_create_activity(activity: Activity, units, *, actor, people=None) -> Activity:
    """Create an activity; its participants are the Party members of the participating units
    unless ``people`` names them."""
    with transaction.atomic():
        require_change(actor, activity.org.path, f"以“{activity.org}”名义组织教育活动")
        audit.save_audited(activity, actor=actor, action="meeting.activity")
        activity.units.set(units)
        if people is None:
            cond = Q()
            for unit in units:
                cond |= Q(org_path__pathprefix=unit.path) | Q(branch_path__pathprefix=unit.path)
            people = Person.objects.filter(cond, is_active=True,
                                           party_status__in=[PartyStatus.FULL, PartyStatus.PROBATIONARY]) \
                if cond else Person.objects.none()
        Participant.objects.bulk_create(
            [Participant(activity=activity, person=p, org=activity.org, org_path=activity.org_path) for p in people],
            ignore_conflicts=True)
    return activity


def do_submit_reflection(participant: Participant, text: str, *, actor) -> Participant:
    """心得体会: written by the participant themselves."""
    with transaction.atomic():
        participant = lock_row(Participant, participant.pk, "person")
        if participant.person.user_id != actor.pk:
            raise PermissionDenied("心得体会只能由参加人本人提交")
        if len(text.strip()) < 20:
            raise ValidationError({"reflection": "心得体会至少写20个字"})
        participant.reflection, participant.reflected_at = text.strip(), timezone.now()
        audit.save_audited(participant, actor=actor, action="meeting.reflection")
    return participant


def do_add_photo(activity: Activity, upload, caption: str, *, actor) -> ActivityPhoto:
    require_change(actor, activity.org_path, f"为“{activity}”上传照片")
    kind = validate_upload(upload, kinds=("jpg", "png"), max_bytes=MAX_PHOTO, field="image", actor=actor)
    upload.name = random_name(kind)
    photo = ActivityPhoto(activity=activity, image=upload, caption=caption[:100], org=activity.org,
                          org_path=activity.org_path)
    with transaction.atomic():
        audit.save_audited(photo, actor=actor, action="meeting.photo")
    return photo
