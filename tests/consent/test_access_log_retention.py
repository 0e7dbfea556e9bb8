"""The access log outlives a deleted student for its retention period: the rows stay with the
student's id and name."""

from consent.models import AccessLogEntry
from consent.services import access_log_record
from tests import factories as f


def test_deleting_a_student_keeps_their_access_log_with_id_and_name(cast):
    student = f.StudentFactory(school=cast.school, last_name="Уходящий", first_name="Иван")
    access_log_record(cast.subject_teacher, student, "journal")
    student_id, name = student.pk, student.full_name
    student.delete()
    entry = AccessLogEntry.objects.get(student_ref=student_id)
    assert entry.student_id is None
    assert entry.student_name == name
    assert entry.viewer == cast.subject_teacher


def test_a_new_entry_keeps_the_students_id_beside_the_link(cast):
    access_log_record(cast.subject_teacher, cast.pupil, "journal")
    entry = AccessLogEntry.objects.get(student=cast.pupil)
    assert entry.student_ref == cast.pupil.pk


def test_the_admin_lists_entries_of_present_and_deleted_students(as_user, cast):
    from django.urls import reverse

    gone = f.StudentFactory(school=cast.school, last_name="Уходящий", first_name="Иван")
    access_log_record(cast.subject_teacher, gone, "journal")
    access_log_record(cast.subject_teacher, cast.pupil, "journal")
    name = gone.full_name
    gone.delete()
    body = (
        as_user(cast.school_admin)
        .get(reverse("admin:consent_accesslogentry_changelist"))
        .content.decode()
    )
    assert name in body and cast.pupil.last_name in body
