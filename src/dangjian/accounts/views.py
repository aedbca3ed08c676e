import time

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.views.decorators.http import require_POST

from dangjian.core.ratelimit import rate_limit
from dangjian.core.scope import has_capability, require_capability
from dangjian.core.web import form_errors, paginate

from . import services, twofactor
from .forms import AccountForm, LoginForm, RoleAssignmentForm, SecondFactorForm, TokenForm
from .models import ApiToken, RoleAssignment, User

PENDING_SECONDS = 300  # the password step is good for five minutes of second-factor entry


def _safe_next(request, candidate) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return "/"


@rate_limit("security.rate_login_per_minute", scope="login")
def login_view(request):
    form = LoginForm(request.POST or None)
    next_url = _safe_next(request, request.GET.get("next") or request.POST.get("next"))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.do_check_password(request, form.cleaned_data["username"], form.cleaned_data["password"])
        except services.LoginRefused as exc:
            form.add_error(None, exc.message)
        else:
            if services.needs_second_factor(user):
                request.session.cycle_key()
                request.session.update({"pending_user": user.pk, "pending_at": time.time(), "pending_next": next_url})
                return redirect("two_factor")
            services.do_complete_login(request, user)
            return redirect(next_url)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


def _pending_user(request):
    pk, started = request.session.get("pending_user"), request.session.get("pending_at", 0)
    if not pk or time.time() - started > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def two_factor(request):
    """Second log-in step: a TOTP code or recovery code; first-time enrolment when a role requires it."""
    user = _pending_user(request)
    if user is None:
        messages.info(request, "请重新输入用户名和密码。")
        return redirect("login")
    device = twofactor.confirmed_device(user)
    form = SecondFactorForm(request.POST or None)
    secret = None
    if device is None:  # a role requires it and there is none yet: enrol now
        secret = request.session.get("enroll_secret") or twofactor.new_secret()
        request.session["enroll_secret"] = secret
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if device is None:
            codes = twofactor.enroll(user, secret, code)
            if codes is None:
                form.add_error("code", "动态口令不正确，请输入验证器上当前显示的 6 位数字")
            else:
                return _finish(request, user, recovery_codes=codes)
        else:
            try:
                services.do_check_second_factor(user, code)
            except services.LoginRefused as exc:
                form.add_error("code", exc.message)
            else:
                return _finish(request, user)
    context = {"form": form, "enrolling": device is None, "account": user}
    if secret:
        uri = twofactor.provisioning_uri(user, secret)
        context.update(secret=secret, qr=twofactor.qr_svg_data_uri(uri))
    return render(request, "accounts/two_factor.html", context)


def _finish(request, user, recovery_codes=None):
    next_url = request.session.get("pending_next", "/")
    for key in ("pending_user", "pending_at", "pending_next", "enroll_secret"):
        request.session.pop(key, None)
    services.do_complete_login(request, user)
    if recovery_codes:
        return render(request, "accounts/recovery_codes.html", {"codes": recovery_codes, "next": next_url})
    return redirect(next_url)


@login_required
def security_settings(request):
    """The user's own second factor (enrol, or turn it off where allowed) and API tokens."""
    device = twofactor.confirmed_device(request.user)
    required = twofactor.required_for(request.user)
    form = SecondFactorForm(request.POST or None)
    context = {"device": device, "required": required, "form": form, "token_form": TokenForm(),
               "tokens": request.user.api_tokens.order_by("-created_at")[:50]}
    if request.method == "POST" and request.POST.get("action") == "disable" and device and not required:
        twofactor.disable(request.user, actor=request.user)
        messages.success(request, "已停用动态口令。")
        return redirect("security_settings")
    if device is None:
        secret = request.session.get("enroll_secret") or twofactor.new_secret()
        request.session["enroll_secret"] = secret
        if request.method == "POST" and form.is_valid():
            codes = twofactor.enroll(request.user, secret, form.cleaned_data["code"])
            if codes:
                request.session.pop("enroll_secret", None)
                return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": "/"})
            form.add_error("code", "动态口令不正确，请输入验证器上当前显示的 6 位数字")
        context.update(secret=secret, qr=twofactor.qr_svg_data_uri(twofactor.provisioning_uri(request.user, secret)))
    return render(request, "accounts/security.html", context)


@login_required
@require_POST
def token_issue(request):
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "未生成：" + "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("security_settings")
    token, key = services.do_issue_token(request.user, form.cleaned_data["name"], actor=request.user)
    return render(request, "accounts/token_issued.html", {"token": token, "key": key})


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)  # another's token: 404, never a hint
    services.do_revoke_token(token, actor=request.user)
    messages.success(request, f"已吊销接口令牌“{token.name}”。")
    return redirect("security_settings")


@require_POST
def logout_view(request):
    services.do_logout(request)
    response = render(request, "accounts/logged_out.html")
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.do_change_password(form, actor=request.user)
        update_session_auth_hash(request, user)
        request.session["password_expired"] = False
        messages.success(request, "密码已修改；您的接口令牌已一并吊销，如需继续使用请重新生成。")
        return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


def password_reset_confirm(request, uidb64, token):
    """The one-time link of a reset (sent to the owner): set a new password; void once used."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, UnicodeDecodeError):
        pk = None
    user = User.objects.filter(pk=pk, is_active=True).first() if pk and pk < 2**31 else None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "accounts/password_reset_confirm.html", {"invalid": True}, status=404)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.do_set_password_by_link(user, form)
        messages.success(request, "新密码已设置，请登录。")
        return redirect("login")
    return render(request, "accounts/password_reset_confirm.html", {"form": form, "account": user})


@login_required
def user_list(request):
    require_capability(request.user, "account.view", what="管理账号")
    users = User.objects.visible_to(request.user, "account.view").select_related("person").order_by("username")
    q = request.GET.get("q", "").strip()[:50]
    if q:
        users = users.filter(Q(username__contains=q) | Q(full_name__contains=q))
    return render(request, "accounts/user_list.html", {
        "page": paginate(request, users), "q": q, "can_create": has_capability(request.user, "account.manage")})


@login_required
def user_create(request):
    require_capability(request.user, "account.manage", what="创建账号")
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account, password = services.do_create_account(form.save(commit=False), actor=request.user)
        return render(request, "accounts/issued_password.html", {"account": account, "password": password})
    return render(request, "accounts/user_form.html", {"form": form})


@login_required
def user_detail(request, pk):
    require_capability(request.user, "account.view", what="管理账号")
    account = get_object_or_404(User.objects.visible_to(request.user, "account.view"), pk=pk)
    can_assign = has_capability(request.user, "role.assign")
    form = RoleAssignmentForm(request.POST or None, user=request.user) if can_assign else None
    if request.method == "POST":
        require_capability(request.user, "role.assign", what="授权")
        if form.is_valid():
            assignment = form.save(commit=False)
            assignment.user = account
            try:
                services.do_grant_role(assignment, actor=request.user)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, f"已授权：{assignment}")
                return redirect("user_detail", pk=account.pk)
    return render(request, "accounts/user_detail.html", {
        "account": account, "grants": account.role_assignments.select_related("org"), "form": form,
        "can_assign": can_assign,
        "can_manage": has_capability(request.user, "admin_account.manage" if services.is_privileged(account)
                                     else "account.manage")})


@login_required
@require_POST
def user_action(request, pk, action):
    """Reset password, enable, disable: the 系统管理员's for ordinary accounts, the 安全管理员's for those of
    the three administrators and of whoever reads the audit log (the service decides which)."""
    if not (has_capability(request.user, "account.manage") or has_capability(request.user, "admin_account.manage")):
        raise PermissionDenied("无权管理账号")
    account = get_object_or_404(User.objects.visible_to(request.user, "account.view"), pk=pk)
    if action not in ("reset", "enable", "disable"):
        raise PermissionDenied("未知操作")
    try:
        if action == "reset":
            password = services.do_reset_password(account, actor=request.user, request=request)
            if password is not None:
                return render(request, "accounts/issued_password.html", {"account": account, "password": password})
            messages.success(request, f"已重置账号 {account.username} 的密码：原密码已失效，设置新密码的一次性链接"
                                      f"已发送到本人的电子邮箱。")
        else:
            services.do_set_account_active(account, action == "enable", actor=request.user)
            messages.success(request, f"已{'启用' if action == 'enable' else '停用'}账号 {account.username}。")
    except ValidationError as exc:
        messages.error(request, "未完成：" + "；".join(exc.messages))
    return redirect("user_detail", pk=account.pk)


@login_required
@require_POST
def grant_revoke(request, pk):
    require_capability(request.user, "role.assign", what="撤销授权")
    assignment = get_object_or_404(
        RoleAssignment.objects.visible_to(request.user, "role.assign"), pk=pk)
    services.do_revoke_role(assignment, actor=request.user)
    messages.success(request, f"已撤销授权：{assignment}")
    return redirect("user_detail", pk=assignment.user_id)
