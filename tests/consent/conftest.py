import pytest

from school.models import GuardianStudent


@pytest.fixture
def link_of():
    """The parent–child link of a cast guardian (a user) and one of their children."""

    def find(guardian_user, student):
        return GuardianStudent.objects.get(guardian=guardian_user.guardian, student=student)

    return find


@pytest.fixture
def link(cast, link_of):
    return link_of(cast.guardian, cast.pupil)
