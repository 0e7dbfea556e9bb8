"""Tasks of the extracts app: thin, by id, safe to run twice. They go to the `pdf` queue
(ednevnik/celery.py routes them), so a long class batch never delays an SMS."""

from celery import shared_task

from . import services


@shared_task(name="extracts.build_file")
def build_file(file_id: int) -> None:
    services.file_build(file_id=file_id)


@shared_task(name="extracts.expire_files")
def expire_files() -> int:
    services.files_requeue()
    return services.files_expire()
