"""Rate limits on what costs the server most or guards a secret: the calendar feed (its
address is the credential) and generated files (a PDF costs a worker seconds of CPU)."""

from django.urls import reverse

from diary.models import CalendarFeed
from school.models import GuardianStudent


def test_a_calendar_feed_is_limited_per_address(client, cast, settings):
    settings.FEED_RATE = "2/h"
    feed = CalendarFeed.objects.create(school=cast.school, user=cast.guardian, student=cast.pupil)
    url = reverse("diary:feed", args=[cast.pupil.pk, feed.token])
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    # Another family's feed has its own count.
    other = CalendarFeed.objects.create(
        school=cast.school, user=cast.guardian_of_two, student=cast.sibling_7a
    )
    assert (
        client.get(reverse("diary:feed", args=[cast.sibling_7a.pk, other.token])).status_code == 200
    )


def test_generated_files_are_limited_per_user(as_user, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EXTRACT_REQUEST_RATE = "1/h"
    link = GuardianStudent.objects.get(guardian__user=cast.guardian, student=cast.pupil)
    url = reverse("extracts:consent_form", args=[link.pk])
    office = as_user(cast.school_admin)
    assert office.post(url).status_code == 302
    refused = office.post(url)
    assert refused.status_code == 429
