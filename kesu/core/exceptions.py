"""The one error type that services raise for a user-facing refusal."""


class ApplicationError(Exception):
    """A refusal a user can act on: ``message`` is Chinese and names the item and the field.

    ``field`` names the offending field; ``row`` the 1-based row of an imported file where that applies.
    """

    def __init__(self, message: str, *, field: str | None = None, row: int | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.row = row
        self.extra = extra or {}

    def __str__(self) -> str:
        return self.message
