"""账号与权限 pages: log-in, passwords, second factor, API tokens, accounts and their grants."""

from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("reset/<str:uidb64>/<str:token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("users/", views.user_list, name="user_list"),
    path("2fa/", views.two_factor, name="two_factor"),
    path("security/", views.security_settings, name="security_settings"),
    path("security/tokens/", views.token_issue, name="token_issue"),
    path("security/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/<slug:action>/", views.user_action, name="user_action"),
    path("grants/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
]
