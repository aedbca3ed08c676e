from django.urls import include, path

from dangjian.accounts import views as accounts
from dangjian.api.urls import api
from dangjian.core import settings_views
from dangjian.core import views as core
from dangjian.orgs import views as orgs

urlpatterns = [
    path("", core.home, name="home"),
    path("coming/<slug:module>/", core.coming, name="coming"),
    path("history/<str:label>/<int:pk>/", core.history, name="history"),
    path("history/<str:label>/<int:pk>/restore/<int:event_id>/", core.restore, name="restore"),
    path("audit/", core.audit_log, name="audit_log"),
    path("settings/rules/", settings_views.rule_list, name="rule_list"),
    path("settings/rules/<str:key>/", settings_views.rule_edit, name="rule_edit"),
    path("settings/holidays/", settings_views.holiday_list, name="holiday_list"),
    path("notifications/", settings_views.notification_list, name="notification_list"),
    path("accounts/login/", accounts.login_view, name="login"),
    path("accounts/logout/", accounts.logout_view, name="logout"),
    path("accounts/password/", accounts.password_change, name="password_change"),
    path("accounts/users/", accounts.user_list, name="user_list"),
    path("accounts/2fa/", accounts.two_factor, name="two_factor"),
    path("accounts/security/", accounts.security_settings, name="security_settings"),
    path("accounts/security/tokens/", accounts.token_issue, name="token_issue"),
    path("accounts/security/tokens/<int:pk>/revoke/", accounts.token_revoke, name="token_revoke"),
    path("accounts/users/new/", accounts.user_create, name="user_create"),
    path("accounts/users/<int:pk>/", accounts.user_detail, name="user_detail"),
    path("accounts/users/<int:pk>/<slug:action>/", accounts.user_action, name="user_action"),
    path("accounts/grants/<int:pk>/revoke/", accounts.grant_revoke, name="grant_revoke"),
    path("orgs/", orgs.org_list, name="org_list"),
    path("orgs/search/", orgs.org_search, name="org_search"),
    path("orgs/<int:pk>/", orgs.org_detail, name="org_detail"),
    path("orgs/<int:pk>/edit/", orgs.org_edit, name="org_edit"),
    path("orgs/<int:parent_pk>/add/", orgs.org_edit, name="org_add"),
    path("people/", orgs.person_list, name="person_list"),
    path("people/new/", orgs.person_edit, name="person_add"),
    path("people/import/", orgs.roster_import, name="roster_import"),
    path("people/import/template.xlsx", orgs.roster_template, name="roster_template"),
    path("people/<int:pk>/", orgs.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", orgs.person_edit, name="person_edit"),
    path("people/<int:pk>/reveal/", orgs.person_reveal, name="person_reveal"),
    path("people/<int:pk>/positions/", orgs.position_add, name="position_add"),
    path("positions/<int:pk>/end/", orgs.position_end, name="position_end"),
    path("duties/", include("dangjian.duties.urls")),
    path("matters/", include("dangjian.matters.urls")),
    path("meetings/", include("dangjian.meetings.urls")),
    path("api/v1/", api.urls),
]

handler400 = "dangjian.core.views.bad_request"
handler403 = "dangjian.core.views.permission_denied"
handler404 = "dangjian.core.views.not_found"
handler500 = "dangjian.core.views.server_error"
