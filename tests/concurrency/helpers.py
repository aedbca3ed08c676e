"""What the concurrency tests share."""

from dangjian.orgs.models import Person


def edit_data(person: Person, **changes) -> dict:
    """The person's edit form as the page shows it (loaded at the stored version), with ``changes``."""
    data = {"name": person.name, "gender": person.gender, "birth_date": person.birth_date.isoformat(),
            "id_number": "", "phone": "", "education": person.education, "job_title": person.job_title,
            "org": person.org_id, "branch": person.branch_id or "", "party_status": person.party_status,
            "joined_party_on": person.joined_party_on.isoformat() if person.joined_party_on else "",
            "full_member_on": person.full_member_on.isoformat() if person.full_member_on else "",
            "activist_since": "", "loaded_version": person.version}
    data.update(changes)
    return data
