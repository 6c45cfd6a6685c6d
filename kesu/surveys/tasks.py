"""Background computation of large survey rounds (django-tasks; ``kesu worker`` runs them, tests run them at once)."""

from django_tasks import task

from . import services


@task()
def compute_round(survey_id: int, actor_id: int) -> None:
    services.survey_round_compute(survey_id=survey_id, actor_id=actor_id)
