"""Errors of the exchange: the OneRoster paths answer with the standard's `imsx_StatusInfo`
body, our own API with DRF's `{"detail": ...}` (and, for a refused batch, the item errors)."""

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

CODE_MINOR = {
    400: "invaliddata",
    401: "unauthorisedrequest",
    403: "forbidden",
    404: "unknownobject",
    405: "invaliddata",
    406: "invaliddata",
    415: "invaliddata",
    422: "invaliddata",
    429: "server_busy",
    500: "internal_server_error",
}


def status_info(description: str, code_minor: str) -> dict:
    return {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_CodeMinor": {
            "imsx_codeMinorField": [
                {
                    "imsx_codeMinorFieldName": "TargetEndSystem",
                    "imsx_codeMinorFieldValue": code_minor,
                }
            ]
        },
    }


class OneRosterError(exceptions.APIException):
    """A refusal with the standard's code minor (invalid_filter_field, unknownobject, ...)."""

    def __init__(self, description: str, code_minor: str = "invaliddata", status_code: int = 400):
        super().__init__(description)
        self.status_code = status_code
        self.code_minor = code_minor


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    view = context.get("view")
    if response is None or not getattr(view, "oneroster", False):
        return response
    minor = getattr(exc, "code_minor", None) or CODE_MINOR.get(response.status_code, "invaliddata")
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    body = status_info(str(detail) if not isinstance(detail, dict | list) else str(detail), minor)
    new = Response(body, status=response.status_code)
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            new[header] = response[header]
    return new


def not_found(what: str = "unknown object") -> OneRosterError:
    return OneRosterError(what, "unknownobject", status.HTTP_404_NOT_FOUND)
