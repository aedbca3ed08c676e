"""Configurable security rules (等保 2.0 三级 defaults; see docs/security.md)."""

from dangjian.core import rules

GROUP = "安全"

rules.register(
    "security.audit_retention_days", "审计记录保存天数", 184, kind="int", group=GROUP, minimum=184,
    source="《网络安全法》第二十一条：网络日志留存不少于六个月",
    help="超过此天数的审计记录可由 archive_audit 命令导出归档；不能少于 184 天。",
)
rules.register(
    "security.rate_login_per_minute", "登录请求限流（每地址每分钟）", 20, kind="int", group=GROUP, minimum=1,
    maximum=10000, source="GB/T 22239-2019 8.1.4.1 身份鉴别、8.1.3.5 入侵防范",
    help="同一地址每分钟提交登录表单的次数上限；超出返回 429。账号锁定另见登录失败锁定规则。",
)
rules.register(
    "security.rate_api_auth_failures_per_minute", "接口令牌认证失败限流（每地址每分钟）", 30, kind="int", group=GROUP,
    minimum=1, maximum=10000, source="GB/T 22239-2019 8.1.3.5 入侵防范",
    help="同一地址每分钟使用无效令牌的次数上限；超出后该地址的接口请求返回 429。",
)
rules.register(
    "security.rate_public_per_minute", "公开接口限流（每地址每分钟）", 60, kind="int", group=GROUP, minimum=1,
    maximum=100000, source="GB/T 22239-2019 8.1.3.5 入侵防范", help="无需登录的公开页面与接口（如群众来信）每地址每分钟的请求上限。",
)
rules.register(
    "security.upload_max_mb", "上传文件大小上限（MB）", 20, kind="int", group=GROUP, minimum=1, maximum=500,
    source="GB/T 22239-2019 8.1.3.5 入侵防范", help="所有上传文件（附件、导入表格）的大小上限。",
)
