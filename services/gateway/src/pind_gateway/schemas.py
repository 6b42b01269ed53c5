"""Response shapes shared by every feature: the error body."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorBody(BaseModel):
    """Every error the gateway answers; legacy clients show ``detail``."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"detail": "no job with id …", "code": "job_not_found"}]}
    )

    detail: str = Field(description="What went wrong and what to do, for people.")
    code: str = Field(description="Stable machine-readable code.")


class ValidationErrorBody(ErrorBody):
    """A request that does not match the API (422)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "detail": "not a YouTube video link: not a YouTube host: example.com",
                    "code": "invalid_url",
                },
                {
                    "detail": "invalid request: url: Field required",
                    "code": "invalid_request",
                    "errors": [
                        {"loc": ["body", "url"], "msg": "Field required", "type": "missing"}
                    ],
                },
            ]
        }
    )

    errors: list[dict[str, Any]] | None = Field(
        default=None, description="Each field that failed validation (invalid_request only)."
    )


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the given error statuses."""
    described = {
        400: (ErrorBody, "The request cannot be carried out (e.g. an invalid reset token)"),
        401: (ErrorBody, "Not signed in, or the access token is invalid or expired"),
        404: (ErrorBody, "Not found"),
        429: (ErrorBody, "Too many requests; wait the Retry-After seconds"),
        503: (ErrorBody, "A service the gateway depends on is unavailable"),
        413: (ErrorBody, "Request body too large"),
        422: (ValidationErrorBody, "The request or the URL is invalid"),
        500: (ErrorBody, "Unexpected failure"),
    }
    return {
        status: {"model": described[status][0], "description": described[status][1]}
        for status in statuses
    }
