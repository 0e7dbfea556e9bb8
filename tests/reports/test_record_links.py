"""The finals page links a student's record across years only for those the record admits."""

from django.urls import reverse


def _finals(cast, subject):
    return reverse("reports:finals", args=[cast.class_7a.pk, subject.pk, cast.period.pk])


def test_a_subject_teacher_is_not_sent_to_a_record_they_may_not_open(cast, as_user):
    client = as_user(cast.subject_teacher)
    record = reverse("reports:student_record", args=[cast.pupil.pk])
    body = client.get(_finals(cast, cast.math)).content.decode()
    assert cast.pupil.last_name in body
    assert record not in body
    assert client.get(record).status_code == 404


def test_the_class_teacher_and_the_deputy_head_follow_the_record_link(cast, as_user):
    record = reverse("reports:student_record", args=[cast.pupil.pk])
    for user, subject in ((cast.class_teacher, cast.russian), (cast.deputy_head, cast.math)):
        client = as_user(user)
        assert record in client.get(_finals(cast, subject)).content.decode()
        assert client.get(record).status_code == 200
