"""Load-or-404 and role checks of permits routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from starlette.datastructures import UploadFile

from core.auth.dependencies import require_role
from core.auth.models import Role, User
from permits.uploads import Upload

NumberPath = Annotated[str, Path(min_length=1, max_length=40)]


Officer = Annotated[User, Depends(require_role(Role.PERMIT_OFFICER))]
Applicant = Annotated[User, Depends(require_role(Role.APPLICANT))]


async def read_upload_form(request: Request, max_bytes: int) -> tuple[dict[str, str], list[Upload]]:
    """A multipart form's values and files (`doc_<requirement>`), each read to one byte past
    the limit, so a file too big is told apart without reading it all."""
    values, files = {}, []
    async with request.form() as form:  # closes the spooled files, even when a check fails
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if not value.filename:
                    continue  # an empty file input
                content = await value.read(max_bytes + 1)
                files.append(Upload(key.removeprefix("doc_"), value.filename, content))
            elif key != "csrf_token":
                values[key] = value
    return values, files
