"""Every configurable security rule, in one place (等保 2.0 三级 defaults; see docs/security.md): identity
(passwords, lock-out, sessions, second factor, API tokens), audit retention, rate limits and uploads."""

from functools import partial

from dangjian.accounts.roles import Role
from dangjian.core import rule_settings

GROUP = "安全"
IDENTITY_GROUP = "安全策略"
IDENTITY_SOURCE = "GB/T 22239-2019 8.1.4.1 身份鉴别"
# 三员分立: security rules are the 安全管理员's to change, not the 系统管理员's (who is bound by them).
register = partial(rule_settings.register, capability="security_setting.manage")

register(
    "security.audit_retention_days", "审计记录保存天数", 184, kind="int", group=GROUP, minimum=184,
    source="《网络安全法》第二十一条：网络日志留存不少于六个月",
    help="超过此天数的审计记录可由 archive_audit 命令导出归档；不能少于 184 天。",
)
register(
    "security.rate_login_per_minute", "登录请求限流（每地址每分钟）", 20, kind="int", group=GROUP, minimum=1,
    maximum=10000, source="GB/T 22239-2019 8.1.4.1 身份鉴别、8.1.3.5 入侵防范",
    help="同一地址每分钟提交登录表单的次数上限；超出返回 429。账号锁定另见登录失败锁定规则。",
)
register(
    "security.rate_api_auth_failures_per_minute", "接口令牌认证失败限流（每地址每分钟）", 30, kind="int", group=GROUP,
    minimum=1, maximum=10000, source="GB/T 22239-2019 8.1.3.5 入侵防范",
    help="同一地址每分钟使用无效令牌的次数上限；超出后该地址的接口请求返回 429。",
)
register(
    "security.rate_public_per_minute", "公开接口限流（每地址每分钟）", 60, kind="int", group=GROUP, minimum=1,
    maximum=100000, source="GB/T 22239-2019 8.1.3.5 入侵防范", help="无需登录的公开页面与接口（如群众来信）每地址每分钟的请求上限。",
)
register(
    "security.upload_max_mb", "上传文件大小上限（MB）", 20, kind="int", group=GROUP, minimum=1, maximum=500,
    source="GB/T 22239-2019 8.1.3.5 入侵防范", help="所有上传文件（附件、导入表格）的大小上限。",
)

# ---- 身份鉴别 ----------------------------------------------------------------------------------

register(
    "security.password_min_length", "密码最短长度", 8, kind="int", group=IDENTITY_GROUP, source=IDENTITY_SOURCE,
    minimum=8, maximum=64)
register(
    "security.password_min_classes", "密码至少包含的字符类别数（大写、小写、数字、符号）", 3, kind="int",
    group=IDENTITY_GROUP, source=IDENTITY_SOURCE, minimum=1, maximum=4,
    help="OWASP ASVS 5.0 不建议强制组合规则；等保测评通常要求三类以上，故默认 3，可改为 1。")
register(
    "security.password_max_age_days", "密码最长使用天数（0 表示不强制定期更换）", 90, kind="int", group=IDENTITY_GROUP,
    source=IDENTITY_SOURCE, minimum=0, maximum=3650,
    help="OWASP ASVS 5.0 不建议强制定期更换；等保测评通常要求定期更换，故默认 90 天。")
register(
    "security.login_max_failures", "连续登录失败锁定次数", 5, kind="int", group=IDENTITY_GROUP, source=IDENTITY_SOURCE,
    minimum=3, maximum=20)
register(
    "security.login_address_max_failures", "同一地址登录失败暂停次数", 20, kind="int", group=IDENTITY_GROUP,
    source=IDENTITY_SOURCE, minimum=3, maximum=1000,
    help="锁定时长内来自同一网络地址的登录失败（不论哪个账号）达到此次数，暂停该地址登录；"
         "宜为“连续登录失败锁定次数”的数倍（默认 4 倍）：同一出口地址（NAT）后常有多人。")
register(
    "security.lockout_minutes", "登录锁定时长（分钟）", 15, kind="int", group=IDENTITY_GROUP, source=IDENTITY_SOURCE,
    minimum=1, maximum=1440)
register(
    "security.session_idle_minutes", "会话空闲超时（分钟）", 30, kind="int", group=IDENTITY_GROUP, source=IDENTITY_SOURCE,
    minimum=5, maximum=480)
register(
    "security.session_absolute_hours", "会话最长有效期（小时）", 12, kind="int", group=IDENTITY_GROUP, source=IDENTITY_SOURCE,
    minimum=1, maximum=24)
register(
    "security.totp_required_roles", "必须启用动态口令（第二因素）的角色",
    [Role.SYSADMIN.label, Role.SECURITY_ADMIN.label, Role.AUDIT_ADMIN.label], kind="choices", group=IDENTITY_GROUP,
    source="GB/T 22239-2019 8.1.4.1 d) 双因素鉴别", options=[label for _, label in Role.choices])
register(
    "security.api_token_days", "接口令牌有效期（天）", 180, kind="int", group=IDENTITY_GROUP,
    source="GB/T 22239-2019 8.1.4.1 身份鉴别", minimum=1, maximum=730,
    help="令牌到期后不能再调用接口，须重新生成；已签发的令牌按签发时的有效期计算。")
