"""Page-number pagination with bounded inputs: a page far past the end is an empty page, never
an offset that overflows the database's integers (a 500)."""

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 10**6
MAX_PAGE_SIZE = 200


class BoundedPageNumberPagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="页码")
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE, description="每页条数")

    def __init__(self, page_size: int = 50, **kwargs):
        super().__init__(page_size=page_size, max_page_size=MAX_PAGE_SIZE, **kwargs)
