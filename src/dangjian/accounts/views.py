from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dangjian.core import audit
from dangjian.core.ratelimit import rate_limit
from dangjian.core.scope import path_condition, require_capability
from dangjian.core.views import paginate

from . import services
from .forms import LoginForm, RoleAssignmentForm
from .models import RoleAssignment, User


@rate_limit("security.rate_login_per_minute", scope="login")
def login_view(request):
    form = LoginForm(request.POST or None)
    next_url = request.GET.get("next") or request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    if request.method == "POST" and form.is_valid():
        try:
            services.do_login(request, form.cleaned_data["username"], form.cleaned_data["password"])
        except services.LoginRefused as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(next_url)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


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
        user = form.save()
        user.password_changed_at = timezone.now()
        user.must_change_password = False
        user.save(update_fields=["password_changed_at", "must_change_password"])
        update_session_auth_hash(request, user)
        audit.security_event("password.change", actor=user, target=user, target_repr=user.username)
        messages.success(request, "密码已修改。")
        return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


def _managed_users(user):
    """Accounts whose person, or one of whose grants, lies where the user manages accounts."""
    grants = RoleAssignment.objects.filter(path_condition(user, "account.manage", ("org__path",)))
    people = path_condition(user, "account.manage", ("person__org_path",))
    return User.objects.filter(Q(pk__in=grants.values("user_id")) | people).distinct()


@login_required
def user_list(request):
    require_capability(request.user, "account.manage", what="管理账号")
    users = _managed_users(request.user).select_related("person").order_by("username")
    q = request.GET.get("q", "").strip()[:50]
    if q:
        users = users.filter(Q(username__contains=q) | Q(full_name__contains=q))
    return render(request, "accounts/user_list.html", {"page": paginate(request, users), "q": q})


@login_required
def user_detail(request, pk):
    require_capability(request.user, "account.manage", what="管理账号")
    account = get_object_or_404(_managed_users(request.user), pk=pk)
    form = RoleAssignmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        assignment = form.save(commit=False)
        assignment.user = account
        services.do_grant_role(assignment, actor=request.user)
        messages.success(request, f"已授权：{assignment}")
        return redirect("user_detail", pk=account.pk)
    grants = account.role_assignments.select_related("org")
    return render(request, "accounts/user_detail.html", {"account": account, "grants": grants, "form": form})


@login_required
@require_POST
def grant_revoke(request, pk):
    require_capability(request.user, "account.manage", what="管理账号")
    assignment = get_object_or_404(
        RoleAssignment.objects.filter(path_condition(request.user, "account.manage", ("org__path",))), pk=pk)
    services.do_revoke_role(assignment, actor=request.user)
    messages.success(request, f"已撤销授权：{assignment}")
    return redirect("user_detail", pk=assignment.user_id)
