"""The 24-hour report of finals shows when each family was told, from the outbox."""

from django.urls import reverse

from journal.services import final_mark_set


def test_the_24_hour_report_shows_how_and_when_each_family_was_told(
    cast, family, policy, as_user, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        final_mark_set(
            user=cast.subject_teacher,
            student=cast.pupil,
            subject=cast.math,
            period=cast.period,
            choice="5",
        )
    client = as_user(cast.director)
    with django_assert_max_num_queries(16):
        body = client.get(reverse("reports:late_finals")).content.decode()
    told = body[body.index('class="table finals-told"') :].split("</table>")[0]
    assert cast.pupil.short_name in told
    assert family.short_name in told
    assert "SMS, 25.11.2026 10:00" in told and "электронная почта, 25.11.2026 10:00" in told
    assert "отправлено" in told
