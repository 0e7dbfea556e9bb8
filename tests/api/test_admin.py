"""The school admin lists their school's API clients and revokes one."""

from api.models import ROSTER_READ
from api.services import api_client_create
from tests import factories as f

URL = "/admin/api/apiclient/"


def test_the_school_admin_sees_only_their_clients_and_revokes_one(cast, as_user):
    mine, *_ = api_client_create(school=cast.school, name="LMS", source="lms", scopes=[ROSTER_READ])
    api_client_create(school=f.SchoolFactory(), name="Чужой", source="x", scopes=[ROSTER_READ])
    admin = as_user(cast.school_admin)
    page = admin.get(URL).content.decode()
    assert "LMS" in page and "Чужой" not in page
    response = admin.post(URL, {"action": "revoke", "_selected_action": [mine.pk]})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_at is not None


def test_a_teacher_has_no_such_page(cast, as_user):
    assert as_user(cast.subject_teacher).get(URL).status_code in (302, 403)
