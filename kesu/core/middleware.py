"""Turns a view's ``ChooseFirst`` into a redirect with a message, so deep helpers can ask the user to choose."""

from django.contrib import messages
from django.shortcuts import redirect


class ChooseFirst(Exception):
    """Raised when a page needs a choice the request does not carry (e.g. which region an admin means)."""

    def __init__(self, url_name: str, message: str):
        super().__init__(message)
        self.url_name = url_name
        self.message = message


class ChooseFirstMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ChooseFirst):
            messages.info(request, exception.message)
            return redirect(exception.url_name)
        return None
