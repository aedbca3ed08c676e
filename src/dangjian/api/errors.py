"""Pydantic's validation errors told in Chinese, each naming the field."""

_MESSAGES = {
    "missing": "必填",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "date_from_datetime_parsing": "应为日期，格式 2020-07-01",
    "date_parsing": "应为日期，格式 2020-07-01",
    "date_type": "应为日期，格式 2020-07-01",
    "string_type": "应为文本",
    "string_too_long": "过长",
    "string_too_short": "过短",
    "less_than_equal": "过大",
    "greater_than_equal": "过小",
    "greater_than": "过小",
    "less_than": "过大",
    "enum": "不是可选的值",
    "literal_error": "不是可选的值",
    "json_invalid": "不是有效的 JSON",
    "model_attributes_type": "格式不正确",
    "dict_type": "应为对象",
    "string_pattern_mismatch": "格式不正确",
    "extra_forbidden": "不允许的字段",
}


def describe_validation_errors(errors) -> list[dict]:
    out = []
    for e in errors:
        loc = [str(part) for part in e.get("loc", ()) if part not in ("body", "query", "path", "payload")]
        field = ".".join(loc) or "请求"
        message = _MESSAGES.get(e.get("type", ""), "格式不正确")
        out.append({"field": field, "message": f"{field}：{message}"})
    return out
