"""What every form page does with a service's refusal."""

from django import forms

from .exceptions import ApplicationError


def add_service_error(form: forms.Form, exc: ApplicationError) -> None:
    """Show a service refusal next to the field it names, or above the form when the form has no such field."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
