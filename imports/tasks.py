"""Tasks of the imports app: thin, by id, safe to run twice (a step claims its status)."""

from celery import shared_task

from . import services


@shared_task(name="imports.batch_preview")
def batch_preview(batch_id: int) -> None:
    services.batch_preview(batch_id=batch_id)


@shared_task(name="imports.batch_apply")
def batch_apply(batch_id: int) -> None:
    services.batch_apply(batch_id=batch_id)


@shared_task(name="imports.batches_requeue")
def batches_requeue() -> int:
    return services.batches_requeue()


@shared_task(name="imports.batches_expire")
def batches_expire() -> int:
    return services.batches_expire()
