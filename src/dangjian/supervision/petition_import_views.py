"""历史诉求导入 page (/supervision/petitions/import/): upload, then map the columns and confirm.

The uploaded file is kept between the two steps in the storage (core.uploads.store_upload), never in the
session; the second step names it by a token signed for this user, so that no one can point the import at
another file of the storage. The file is deleted once imported.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.shortcuts import redirect, render

from dangjian.core import jobs
from dangjian.core.documents import XlsxFormatError, read_table_grid
from dangjian.core.scope import has_capability, scope_roots
from dangjian.core.uploads import store_upload, validate_upload
from dangjian.orgs.models import Org

from . import petition_import
from .petition_models import Channel

FOLDER = "petition_imports"
TOKEN_AGE = 86400  # seconds an uploaded file may wait for its mapping
PREVIEW_ROWS = 5
PREVIEW_CHARS = 40


def _agencies(user):
    """The orgs the user registers petitions for: the tops of their petition.change scope."""
    return Org.objects.filter(path__in=scope_roots(user, "petition.change")).order_by("path")


class UploadForm(forms.Form):
    org = forms.ModelChoiceField(label="收到诉求的单位", queryset=Org.objects.none(), empty_label=None)
    file = forms.FileField(label="历史诉求文件（.xlsx，或 UTF-8、GBK 编码的 .csv）",
                           help_text="第1行为表头；下一步选择各列对应的字段")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = _agencies(user)

    def clean_file(self):
        f = self.cleaned_data["file"]
        self.kind = validate_upload(f, kinds=("xlsx", "csv"))
        return f


class MappingForm(forms.Form):
    """One select per field (a column, or 不导入), and the one channel of a file without a 渠道 column."""

    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, headers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        columns = [("", "（无此列）")] + [
            (str(i), f"{petition_import.column_letter(i)}列" + (f"：{h}" if h else "")) for i, h in enumerate(headers)]
        required = {"received_at": "必选", "subject": "标题、内容至少选一列", "content": "标题、内容至少选一列",
                    "channel": "或在下方为整个文件选择渠道", "category": "按名称对应本单位的分类，没有的将新建"}
        for name, label in petition_import.FIELDS.items():
            self.fields[f"col_{name}"] = forms.ChoiceField(label=label, choices=columns, required=False,
                                                           help_text=required.get(name, ""))
        self.fields["file_channel"] = forms.ChoiceField(
            label="整个文件的渠道", required=False, choices=[("", "（按渠道列）")] + Channel.choices,
            help_text="文件中没有渠道列时选择；渠道列为空的行也按此渠道")

    def specs(self) -> dict[str, str]:
        return {name: petition_import.column_letter(int(self.cleaned_data[f"col_{name}"]))
                for name in petition_import.FIELDS if self.cleaned_data.get(f"col_{name}")}


def _sign(user, name: str, org: Org, original: str) -> str:
    return signing.dumps({"f": name, "o": org.pk, "n": original}, salt=f"petition-import:{user.pk}")


def _unsign(user, token: str) -> dict | None:
    try:
        data = signing.loads(token, salt=f"petition-import:{user.pk}", max_age=TOKEN_AGE)
    except signing.BadSignature:
        return None
    name = data.get("f", "")
    return data if name.startswith(f"{FOLDER}/") and default_storage.exists(name) else None


def _preview(name: str):
    with default_storage.open(name, "rb") as f:
        headers, rows = read_table_grid(f)
        shown = []
        for _number, row in rows:
            shown.append([_cell(v) for v in row[:max(len(headers), 1)]])
            if len(shown) == PREVIEW_ROWS:
                break
    return headers, shown


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"


@login_required
def petition_import_page(request):
    user = request.user
    if not has_capability(user, "petition.change"):
        raise PermissionDenied("无权导入群众诉求（需要群众监督的登记权限）")
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request)
    form = UploadForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        upload, org = form.cleaned_data["file"], form.cleaned_data["org"]
        name = store_upload(upload, FOLDER, form.kind)
        try:
            headers, shown = _preview(name)
        except XlsxFormatError as exc:
            default_storage.delete(name)
            form.add_error("file", str(exc))
        else:
            mapping = MappingForm(initial={"token": _sign(user, name, org, upload.name),
                                           **{f"col_{f}": str(i) for f, i in
                                              petition_import.guess_mapping(headers).items()}}, headers=headers)
            return _mapping_page(request, mapping, headers, shown, org, upload.name)
    return render(request, "supervision/petition_import.html", {"form": form})


def _mapping_errors(mapping, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items():
        for error in errors:
            mapping.add_error(f"col_{name}" if name in petition_import.FIELDS else None, error.split("：", 1)[-1])


def _mapping_page(request, mapping, headers, shown, org, original, report=None):
    letters = [petition_import.column_letter(i) for i in range(len(headers))]
    return render(request, "supervision/petition_import.html", {
        "mapping": mapping, "headers": list(zip(letters, headers, strict=True)), "preview": shown, "org": org,
        "original": original, "report": report})


def _confirm(request):
    user = request.user
    data = _unsign(user, request.POST.get("token", ""))
    org = Org.objects.filter(pk=data["o"]).first() if data else None
    if org is None or org not in _agencies(user):
        messages.error(request, "上传的文件已失效，请重新上传")
        return redirect("supervision:petition_import")
    headers, shown = _preview(data["f"])
    mapping = MappingForm(request.POST, headers=headers)
    report = None
    if mapping.is_valid() and default_storage.size(data["f"]) > petition_import.PAGE_BYTES:
        channel = mapping.cleaned_data["file_channel"]
        try:  # the mapping is checked here; the rows by the queue, which tells the uploader the outcome
            petition_import.build_mapping(mapping.specs(), headers, channel=channel)
        except ValidationError as exc:
            _mapping_errors(mapping, exc)
        else:
            jobs.submit(petition_import.IMPORT_JOB, data["f"], org.pk, user.pk, mapping.specs(), channel, data["n"])
            messages.success(request, f"“{data['n']}”较大，已转入后台导入：完成或发现错误时将以站内通知告诉您"
                                      "（有错误时逐行列出，不写入任何数据）。")
            return redirect("supervision:petition_import")
    elif mapping.is_valid():
        try:
            with default_storage.open(data["f"], "rb") as f:
                result = petition_import.import_petitions(
                    f, mapping.specs(), org=org, actor=user, channel=mapping.cleaned_data["file_channel"],
                    stored_as=data["f"])
        except ValidationError as exc:
            _mapping_errors(mapping, exc)
        else:
            report = result.report
            if report.ok:
                default_storage.delete(data["f"])
                new = (f"；新建分类 {len(result.new_categories)} 个：{'、'.join(result.new_categories)}"
                       if result.new_categories else "")
                messages.success(request, f"已导入历史诉求 {result.created} 条（“{data['n']}”）{new}。"
                                          "历史诉求记为已受理，不进入待分类队列。")
                return redirect("supervision:petition_import")
    return _mapping_page(request, mapping, headers, shown, org, data["n"], report)
