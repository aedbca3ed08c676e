"""The base of every request body the API accepts."""

from ninja import Schema
from pydantic import ConfigDict


class InputSchema(Schema):
    """A request body: a field the schema does not name is refused (422 “不允许的字段”), never ignored.

    Ignoring it would let a client believe it set, say, ``org_path`` or ``status`` when nothing was
    written (mass assignment); refusing it also keeps the published schema exact for the fuzzer.
    """

    model_config = ConfigDict(extra="forbid")
